/**
 * planInit: the files `shipshape init` would write, as data (path, content, why), and the source
 * edits that fix what detection found wrong with the app. Pure: the writer applies it.
 */
import type { AppProfile } from "../app/types.js";
import { appVolumes, composeFile, dockerignore, envExample } from "./compose.js";
import {
  buildStepCommand,
  healthProbe,
  isWorkspaceApp,
  nodeDockerfile,
  pythonDockerfile,
  writableDirs,
  writableVolumes,
} from "./dockerfile.js";
import { SERVE_STATIC } from "./serve-static.js";

export interface PlannedFile {
  /** Relative to the project root. */
  path: string;
  content: string;
  why: string;
  /** Adds to an existing file without removing anything: written like an edit, no --force needed. */
  merge?: boolean;
}

export interface PlannedEdit {
  path: string;
  line: number;
  from: string;
  to: string;
  why: string;
}

export interface InitPlan {
  profile: AppProfile;
  files: PlannedFile[];
  edits: PlannedEdit[];
  /** The image name compose builds and the tests run. */
  image: string;
}

export interface PlanOptions {
  /** Write compose.yaml (default true). */
  compose?: boolean;
  /** The project's .gitignore as it is, so init can add what keeps secrets out of git. */
  gitignore?: string;
  /** An existing .env.example: init adds the variables it lacks and changes nothing else. */
  envExample?: string;
}

/** `existing` plus the generated entries (comment and `NAME=value`) whose names it lacks. */
function mergeEnvExample(existing: string, generated: string): string {
  const present = new Set(
    [...existing.matchAll(/^\s*(?:export\s+)?([A-Za-z_][A-Za-z0-9_]*)\s*=/gm)].map((m) => m[1]),
  );
  const lines = generated.split("\n");
  const added: string[] = [];
  for (let i = 0; i < lines.length; i++) {
    const name = /^([A-Za-z_][A-Za-z0-9_]*)=/.exec(lines[i] ?? "")?.[1];
    if (!name || present.has(name)) continue;
    const comment = lines[i - 1]?.startsWith("#") ? [lines[i - 1]!] : [];
    added.push(...comment, lines[i]!);
  }
  if (added.length === 0) return existing;
  const separator = existing === "" || existing.endsWith("\n") ? "" : "\n";
  return `${existing}${separator}\n# --- added by shipshape init: read by the code, missing here ---\n${added.join("\n")}\n`;
}

/** Lines a .gitignore needs so env files with secrets are never committed. */
function gitignoreAdditions(current: string | undefined): string[] {
  const lines = (current ?? "").split("\n").map((line) => line.trim());
  const needed: string[] = [];
  if (!lines.some((line) => /^\/?\.env\*?$/.test(line))) needed.push(".env");
  if (!lines.some((line) => /^\/?\.env\.\*$|^\/?\.env\*$/.test(line))) needed.push(".env.*", "!.env.example");
  return needed;
}

function at(profile: AppProfile, path: string): string {
  return profile.dir === "" ? path : `${profile.dir}/${path}`;
}

export function planInit(profile: AppProfile, options: PlanOptions = {}): InitPlan {
  const image = `${profile.name
    .replace(/^@[^/]+\//, "")
    .replace(/[^a-z0-9._-]/gi, "-")
    .toLowerCase()}:local`;
  const composed = options.compose ?? true;
  const files: PlannedFile[] = [
    {
      path: at(profile, "Dockerfile"),
      content: profile.stack === "node" ? nodeDockerfile(profile) : pythonDockerfile(profile),
      why: "multi-stage build, exact base, frozen install, non-root, tini, health check",
    },
    {
      // A workspace app's context is the repository root: its ignore file goes beside its Dockerfile.
      path: at(profile, isWorkspaceApp(profile) ? "Dockerfile.dockerignore" : ".dockerignore"),
      content: dockerignore(profile),
      why: "keeps secrets, VCS data and host build output out of the build context",
    },
  ];
  if (profile.kind === "static")
    files.push({
      path: at(profile, "docker/serve-static.mjs"),
      content: SERVE_STATIC,
      why: "a dependency-free server for the static build, with /healthz and SPA fallback",
    });
  if (composed)
    files.push({
      path: at(profile, "compose.yaml"),
      content: composeFile(profile, image),
      why:
        profile.services.length > 0
          ? `the app with ${profile.services.map((s) => s.kind).join(", ")}, health-gated start, private network`
          : "the app hardened: read-only, no capabilities, limits, published on 127.0.0.1",
    });
  files.push(
    options.envExample === undefined
      ? {
          path: at(profile, ".env.example"),
          content: envExample(profile, composed),
          why: "every variable the code reads, with placeholders",
        }
      : {
          path: at(profile, ".env.example"),
          content: mergeEnvExample(options.envExample, envExample(profile, composed)),
          why: "adds the variables the code reads that it lacks",
          merge: true,
        },
    {
      path: at(profile, "DOCKER.md"),
      content: dockerDoc(profile, image, composed),
      why: "how to build, run and verify, and why each choice was made",
    },
  );
  const additions = gitignoreAdditions(options.gitignore);
  if (additions.length > 0) {
    const current = options.gitignore ?? "";
    const separator = current === "" || current.endsWith("\n") ? "" : "\n";
    files.push({
      path: at(profile, ".gitignore"),
      content: `${current}${separator}${current === "" ? "" : "\n"}# env files hold secrets (shipshape init)\n${additions.join("\n")}\n`,
      why: "keeps .env files with secrets out of git",
      merge: true,
    });
  }
  const edits: PlannedEdit[] = [];
  for (const defect of profile.defects)
    if (defect.edit)
      edits.push({
        path: defect.edit.file,
        line: defect.edit.line,
        from: defect.edit.from,
        to: defect.edit.to,
        why: defect.message,
      });
  return { profile, files, edits, image };
}

function evidenceText(evidence: { file: string; line?: number; text: string }[]): string {
  const first = evidence[0];
  if (!first) return "";
  return ` (\`${first.text.replace(/`/g, "'")}\` in ${first.file}${first.line ? `:${first.line}` : ""})`;
}

/** The `docker build` line: from the repository root for a workspace, with the npm secret if any. */
function buildCommand(profile: AppProfile, image: string): string {
  const secret = profile.node?.npmrc
    ? ` --secret id=npmrc,src=${isWorkspaceApp(profile) ? profile.node.npmrc.file : profile.node.npmrc.file.slice(profile.dir === "" ? 0 : profile.dir.length + 1)}`
    : "";
  if (!isWorkspaceApp(profile)) return `DOCKER_BUILDKIT=1 docker build${secret} -t ${image} .`;
  const up = profile.dir
    .split("/")
    .map(() => "..")
    .join("/");
  return `(cd ${up} && DOCKER_BUILDKIT=1 docker build -f ${profile.dir}/Dockerfile${secret} -t ${image} .)`;
}

function dockerDoc(profile: AppProfile, image: string, composed: boolean): string {
  const lines: string[] = [
    `# Running ${profile.name} in a container`,
    "",
    "Written by `shipshape init`. Everything below can be regenerated; edit freely.",
    "",
    "## Build and run",
    "",
    "```sh",
    buildCommand(profile, image),
  ];
  const required = profile.env.filter((v) => v.required && !v.declaredOnly);
  if (composed) {
    lines.push(
      "cp .env.example .env   # then fill in the real values",
      // The private registry's token reaches the build as a secret, which compose v1 cannot pass.
      profile.node?.npmrc ? "docker compose up --no-build -d" : "docker compose up --build -d",
      "docker compose ps        # wait for (healthy)",
    );
  } else {
    const mounts = appVolumes(profile)
      .map((mount) => ` -v ${mount.name}:${mount.target}`)
      .join("");
    lines.push(
      `docker run --rm --init --read-only --tmpfs /tmp${mounts} --cap-drop ALL --security-opt no-new-privileges -p 127.0.0.1:${profile.port.value}:${profile.port.value} --env-file .env ${image}`,
    );
  }
  lines.push("shipshape check          # audit the setup", "```", "", "## What was detected", "");
  lines.push(
    `- Stack: ${profile.stack}, framework ${profile.framework.value}${evidenceText(profile.framework.evidence)}.`,
  );
  if (profile.node)
    lines.push(
      `- Node ${profile.node.version.value} (${profile.node.version.how}); package manager ${profile.node.manager.value} (${profile.node.manager.how}).`,
    );
  if (profile.python)
    lines.push(
      `- Python ${profile.python.version.value} (${profile.python.version.how}); ${profile.python.manager.value}${profile.python.pinned ? "" : " (requirements not all pinned: pin them for reproducible builds)"}.`,
    );
  if (profile.build) {
    const output = profile.build.outDir ? ` → \`${profile.build.outDir}/\`` : "";
    const manager = profile.node?.manager.value ?? "npm";
    lines.push(
      profile.build.direct
        ? `- Build: \`${buildStepCommand(profile)}\`${output}: package.json's \`build\` script${evidenceText(profile.build.evidence)} run straight from \`node_modules/.bin\`, without ${manager}, so a rebuild does not pay ${manager}'s start-up. When the script changes, change the Dockerfile's \`RUN\` to match (or run \`shipshape init\` again).`
        : `- Build: \`${buildStepCommand(profile)}\`${output}.`,
    );
  }
  lines.push(`- Start: \`${profile.start.value.join(" ")}\` (${profile.start.how}).`);
  lines.push(`- Port ${profile.port.value} (${profile.port.how})${evidenceText(profile.port.evidence)}.`);
  lines.push(
    profile.health
      ? `- Health: \`${profile.health.value}\` (${profile.health.how}).`
      : "- Health: no route found; the health check tests that the port accepts connections. Add a `/healthz` route and rerun with `--health-path /healthz`.",
  );
  for (const service of profile.services)
    lines.push(`- Uses ${service.kind}${service.urlEnv ? ` through \`${service.urlEnv}\`` : ""}.`);
  if (profile.migrations)
    lines.push(`- Migrations: \`${profile.migrations.command.join(" ")}\`, run once before the app starts.`);
  if (required.length > 0)
    lines.push(`- Required configuration: ${required.map((v) => `\`${v.name}\``).join(", ")}.`);
  for (const path of profile.writablePaths.filter((p) => p.sure))
    lines.push(`- Writes at run time: \`${path.value}/\` (${path.how})${evidenceText(path.evidence)}.`);
  lines.push("", "## Why it is built this way", "");
  lines.push(
    "- **Exact base image** (`FROM` names version and OS variant): the same bits on every build. Run `shipshape pin` to add the digest.",
    "- **Lockfile-first install** with a cache mount: dependencies are reinstalled only when the lockfile changes, and exactly as locked.",
    "- **Multi-stage**: compilers, dev dependencies and sources stay in the build stages; the runtime stage has only what the start command needs.",
    "- **Non-root user**, and the app's files are owned by root: the process cannot modify its own code. It runs with a read-only root filesystem and `/tmp` as tmpfs.",
    "- **tini as PID 1**: `docker stop` delivers SIGTERM to the app and returns promptly.",
    `- **HEALTHCHECK with \`${healthProbe(profile)[0]}\`** itself: slim images have no curl.`,
    "- **Exec-form CMD** of the real command, never `npm start`: npm does not forward signals.",
  );
  const volumes = writableVolumes(profile);
  if (volumes.length > 0) {
    const user = profile.stack === "python" ? "app" : "node";
    const named = composed ? appVolumes(profile) : [];
    lines.push(
      `- **Volumes for what the app writes**: ${writableDirs(profile)
        .map((dir) => `\`${dir}\``)
        .join(
          ", ",
        )} ${writableDirs(profile).length === 1 ? "is" : "are"} created owned by \`${user}\` and declared \`VOLUME\`, so ${writableDirs(profile).length === 1 ? "it stays" : "they stay"} writable on the read-only root${named.length > 0 ? `; compose mounts the named volume${named.length === 1 ? "" : "s"} ${named.map((m) => `\`${m.name}\``).join(", ")} there` : ""}. ${volumes.length === 1 ? "It holds" : "They hold"} the app's data: back ${volumes.length === 1 ? "it" : "them"} up, e.g. \`docker run --rm -v <volume>:/data:ro -v "$PWD":/backup debian:bookworm-slim tar czf /backup/${(named[0]?.name ?? "data").replace(/[^\w.-]/g, "")}.tgz -C /data .\` (\`docker volume ls\` names ${volumes.length === 1 ? "it" : "them"}).`,
    );
  }
  if (composed)
    lines.push(
      "- **compose.yaml**: databases on an internal network and not published; the app published on 127.0.0.1 only; start order gated on health; `read_only`, `cap_drop: [ALL]`, `no-new-privileges`, memory and pids limits; secrets from `.env`, never literals.",
    );
  for (const defect of profile.defects)
    lines.push(
      `- **Fixed in the app**: ${defect.message} (${defect.evidence.file}:${defect.evidence.line ?? ""}).`,
    );
  lines.push("");
  return lines.join("\n");
}
