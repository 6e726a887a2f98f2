/**
 * The structural fixes `shipshape fix` offers beyond check's mechanical ones, each a whole-file
 * change shown as a diff: a single-stage or root Dockerfile replaced by the multi-stage one init
 * writes (from the same app profile), secrets moved out of `ENV` into the runtime environment,
 * health checks and health-gated `depends_on` conditions added to compose services.
 */
import { parseDocument, type YAMLMap } from "yaml";
import { detectApp } from "../app/detect.js";
import type { AppProfile } from "../app/types.js";
import type { CheckResult } from "../check/engine.js";
import type { ProjectFacts } from "../check/facts/project.js";
import { isSecretName } from "../check/facts/secrets.js";
import { healthProbe, nodeDockerfile, pythonDockerfile } from "./dockerfile.js";
import type { PlannedFile } from "./plan.js";
import { SERVE_STATIC } from "./serve-static.js";

/** Findings that no line edit fixes: the Dockerfile's structure is the problem. */
const STRUCTURAL_DOCKERFILE = new Set(["SS1201", "SS1206", "SS1207", "SS1008", "SS1202", "SS1005"]);

const DATABASE_HEALTH: Array<[RegExp, string[]]> = [
  [/^(?:[^/]+\/)?postgres(?::|$)/, ["CMD-SHELL", 'pg_isready -h 127.0.0.1 -U "$${POSTGRES_USER:-postgres}"']],
  [/^(?:[^/]+\/)?(?:mysql|mariadb)(?::|$)/, ["CMD-SHELL", "mysqladmin ping -h 127.0.0.1 --silent"]],
  [/^(?:[^/]+\/)?redis(?::|$)/, ["CMD", "redis-cli", "ping"]],
  [/^(?:[^/]+\/)?mongo(?::|$)/, ["CMD", "mongosh", "--quiet", "--eval", "db.adminCommand('ping').ok"]],
];

export interface StructuralFix extends PlannedFile {
  /** The finding ids it resolves. */
  resolves: string[];
}

function profileOf(facts: ProjectFacts): AppProfile | undefined {
  try {
    return detectApp(facts.tree);
  } catch {
    return undefined;
  }
}

export function structuralFixes(facts: ProjectFacts, result: CheckResult): StructuralFix[] {
  const fixes: StructuralFix[] = [];
  const profile = profileOf(facts);
  for (const target of facts.dockerfiles) {
    const file = target.dockerfile.file;
    const findings = result.findings.filter((finding) => finding.location.file === file);
    const structural = [
      ...new Set(findings.filter((f) => STRUCTURAL_DOCKERFILE.has(f.ruleId)).map((f) => f.ruleId)),
    ];
    const dir = file.includes("/") ? file.slice(0, file.lastIndexOf("/")) : "";
    if (
      structural.length > 0 &&
      profile &&
      profile.dir === dir &&
      !profile.unsure.some((u) => u.flag !== "--health-path" && u.flag !== "--writable")
    ) {
      fixes.push({
        path: file,
        content: profile.stack === "node" ? nodeDockerfile(profile) : pythonDockerfile(profile),
        why: `rebuilt as init writes it: multi-stage, non-root, health check (resolves ${structural.join(", ")})`,
        resolves: structural,
      });
      // A static app's Dockerfile copies the small server init writes beside it.
      if (
        profile.kind === "static" &&
        !facts.tree.entries.has(`${dir ? `${dir}/` : ""}docker/serve-static.mjs`)
      )
        fixes.push({
          path: `${dir ? `${dir}/` : ""}docker/serve-static.mjs`,
          content: SERVE_STATIC,
          why: "the dependency-free static server the new Dockerfile runs",
          resolves: [],
        });
      continue;
    }
    // Secrets in ENV: the line goes; the value belongs in the runtime environment (.env.example names it).
    const secretEnv = target.dockerfile.stages
      .flatMap((stage) => stage.env)
      .filter((variable) => isSecretName(variable.name) && variable.value && !/^\$/.test(variable.value));
    if (secretEnv.length > 0) {
      const lines = target.dockerfile.source.text.split("\n");
      const drop = new Set<number>();
      for (const variable of secretEnv) {
        const instruction = variable.instruction;
        // Only an ENV that sets nothing else is removed whole; a shared one is left to the user.
        if (
          target.dockerfile.stages.flatMap((s) => s.env).filter((v) => v.instruction === instruction)
            .length === 1
        )
          for (let line = instruction.line; line <= instruction.endLine; line++) drop.add(line);
      }
      if (drop.size > 0)
        fixes.push({
          path: file,
          content: lines.filter((_line, index) => !drop.has(index + 1)).join("\n"),
          why: `secrets (${secretEnv.map((v) => v.name).join(", ")}) leave the image: set them at run time from .env`,
          resolves: ["SS1101"],
        });
    }
  }
  // What detection found wrong in the app's own code and knows how to edit (a loopback listen).
  for (const defect of profile?.defects ?? []) {
    const edit = defect.edit;
    const source = edit ? facts.tree.texts.get(edit.file) : undefined;
    if (!edit || !source) continue;
    const lines = source.text.split("\n");
    const line = lines[edit.line - 1];
    if (line === undefined || !line.includes(edit.from)) continue;
    lines[edit.line - 1] = line.replace(edit.from, edit.to);
    fixes.push({ path: edit.file, content: lines.join("\n"), why: defect.message, resolves: ["SS3001"] });
  }
  for (const compose of facts.composeFiles) {
    const fix = composeHealth(facts, compose.file, compose.source.text, profile);
    if (fix) fixes.push(fix);
  }
  return fixes;
}

/** Health checks for built services and databases, and `condition: service_healthy` on depends_on. */
function composeHealth(
  facts: ProjectFacts,
  file: string,
  text: string,
  profile: AppProfile | undefined,
): StructuralFix | undefined {
  const document = parseDocument(text);
  if (document.errors.length > 0) return undefined;
  const services = document.get("services") as YAMLMap | undefined;
  if (!services || typeof services.items === "undefined") return undefined;
  const compose = facts.composeFiles.find((candidate) => candidate.file === file);
  const changed: string[] = [];
  const healthy = new Set<string>();
  for (const service of compose?.services ?? []) {
    if (service.healthcheck && !service.healthcheck.disabled) {
      healthy.add(service.name);
      continue;
    }
    let test: string[] | undefined;
    const image = service.image?.ref.repository ?? "";
    for (const [pattern, probe] of DATABASE_HEALTH) if (pattern.test(image)) test = probe;
    if (!test && service.build && profile) test = ["CMD", ...healthProbe(profile)];
    if (!test) continue;
    document.setIn(
      ["services", service.name, "healthcheck"],
      document.createNode({ test, interval: "10s", timeout: "3s", retries: 5, start_period: "15s" }),
    );
    healthy.add(service.name);
    changed.push(`healthcheck on ${service.name}`);
  }
  for (const service of compose?.services ?? []) {
    for (const dependency of service.dependsOn) {
      if (dependency.condition || !healthy.has(dependency.service)) continue;
      const current = document.getIn(["services", service.name, "depends_on"]);
      const map = document.createNode({}) as YAMLMap;
      const names = Array.isArray((current as { toJSON?: () => unknown })?.toJSON?.())
        ? ((current as { toJSON: () => string[] }).toJSON() as string[])
        : service.dependsOn.map((d) => d.service);
      for (const name of names)
        map.set(
          name,
          document.createNode({ condition: healthy.has(name) ? "service_healthy" : "service_started" }),
        );
      document.setIn(["services", service.name, "depends_on"], map);
      changed.push(
        `${service.name} waits for ${names.filter((n) => healthy.has(n)).join(", ")} to be healthy`,
      );
      break;
    }
  }
  if (changed.length === 0) return undefined;
  return {
    path: file,
    content: document.toString({ lineWidth: 0 }),
    why: changed.join("; "),
    resolves: ["SS1202", "SS2005"],
  };
}
