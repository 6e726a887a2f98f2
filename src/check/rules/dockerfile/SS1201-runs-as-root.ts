import type { DockerfileFacts } from "../../facts/dockerfile.js";
import type { ImageRef } from "../../facts/image.js";
import type { Fix, Rule, RuleResult } from "../../types.js";
import { insertBeforeRuntime, rootOf } from "./query.js";

/** Whether a USER value means root. */
export function isRootUser(value: string | undefined): boolean {
  if (value === undefined) return true;
  const user = value.split(":")[0]?.trim() ?? "";
  return user === "" || user === "root" || user === "0";
}

/** Images that already run as a non-root user by default. */
function defaultsToNonRoot(ref: ImageRef): boolean {
  if (/nonroot/.test(ref.tag ?? "")) return true;
  if (ref.registry === "cgr.dev") return !/-dev$/.test(ref.tag ?? "");
  return /(?:^|\/)(?:nginx-unprivileged)$|^bitnami\//.test(ref.repository);
}

/** Lines that create and switch to a non-root user on this base, or undefined when unknown. */
function nonRootLines(ref: ImageRef): string[] | undefined {
  const tag = ref.tag ?? "";
  if (ref.unresolved) return undefined;
  if (/distroless/.test(ref.repository)) return ["USER nonroot"];
  if (ref.registry) return undefined;
  if (ref.repository === "node") return ["USER node"];
  if (/alpine/.test(tag) || ref.repository === "alpine")
    return ["RUN addgroup -S -g 10001 app && adduser -S -u 10001 -G app app", "USER app"];
  const debianBased =
    ["debian", "ubuntu", "python", "ruby", "golang", "rust", "perl", "buildpack-deps"].includes(
      ref.repository,
    ) && !/windows|nanoserver/.test(tag);
  if (debianBased)
    return [
      "RUN groupadd --system --gid 10001 app && useradd --system --uid 10001 --gid app --no-create-home app",
      "USER app",
    ];
  return undefined;
}

export const rule: Rule = {
  meta: {
    id: "SS1201",
    name: "runs-as-root",
    title: "The image runs as root",
    severity: "error",
    category: "hardening",
    rationale:
      "Without a non-root `USER` the app runs as uid 0: a bug or compromised dependency gets root inside the container, root's capabilities, and root on any bind-mounted host path.",
    fix: "Switch to an unprivileged user before `CMD` (`USER node` on node images; create one with `useradd`/`adduser` elsewhere).",
    equivalents: {
      hadolint: ["DL3002"],
      trivy: ["DS002"],
      checkov: ["CKV_DOCKER_3"],
      dockle: ["CIS-DI-0001"],
    },
    examples: {
      bad: {
        Dockerfile: 'FROM node:20.20.2-bookworm-slim\nWORKDIR /app\nCOPY . .\nCMD ["node", "server.js"]\n',
      },
      good: {
        Dockerfile:
          'FROM node:20.20.2-bookworm-slim\nWORKDIR /app\nCOPY . .\nUSER node\nCMD ["node", "server.js"]\n',
      },
    },
  },
  check(facts) {
    const out: RuleResult[] = [];
    for (const { dockerfile } of facts.dockerfiles) {
      const final = dockerfile.final;
      if (!final) continue;
      const user = final.user;
      // `USER` without a value does not build; nothing to say about who runs.
      if (!isRootUser(user?.value) || (user && user.value.trim() === "")) continue;
      const { base } = rootOf(dockerfile, final);
      // A base that sets its own non-root USER, or one that is not known (`FROM ${BASE}`).
      if (!user && (defaultsToNonRoot(base) || base.unresolved)) continue;
      const location = user
        ? { file: dockerfile.file, line: user.instruction.line, column: user.instruction.column }
        : { file: dockerfile.file, line: final.from.line, column: final.from.column };
      const message = user
        ? `\`USER ${user.value}\` is the last user, so the app runs as root: switch to an unprivileged user before \`CMD\``
        : `No \`USER\` in the final stage (\`${final.baseText}\`), so the app runs as root: add an unprivileged \`USER\` before \`CMD\``;
      const result: RuleResult = { location, message };
      const fix = fixFor(dockerfile, base);
      if (fix) result.fix = fix;
      out.push(result);
    }
    return out;
  },
};

function fixFor(dockerfile: DockerfileFacts, base: ImageRef): Fix | undefined {
  const lines = nonRootLines(base);
  if (!lines) return undefined;
  const edit = insertBeforeRuntime(dockerfile, lines);
  if (!edit) return undefined;
  const user = lines.at(-1)?.replace(/^USER /, "") ?? "";
  return { description: `Run as \`${user}\``, edits: [edit] };
}
