import { parseShell, programOf } from "../../facts/shell.js";
import type { Rule, RuleResult } from "../../types.js";
import { jsonArray } from "../helpers.js";
import { apkAdds, aptInstalls, packagesOf } from "./apt.js";
import { rootOf } from "./query.js";

/** Words of every command a health check runs (through `sh -c` too). */
function commandsOf(argv: string[], script?: string): string[][] {
  if (script !== undefined) return parseShell(script).map((command) => command.argv);
  if ((programOf(argv) === "sh" || programOf(argv) === "bash") && argv[1] === "-c")
    return parseShell(argv[2] ?? "").map((command) => command.argv);
  return [argv];
}

export const rule: Rule = {
  meta: {
    id: "SS1213",
    name: "healthcheck-tool-missing",
    title: "`HEALTHCHECK` calls `curl`/`wget`, which the image does not have",
    severity: "error",
    category: "builder-only",
    rationale:
      "Slim, alpine and distroless bases ship without `curl` (and, except alpine, without `wget`): the check fails every time, so the container is marked `unhealthy` and anything waiting for it never starts, though it works on a full image on your machine.",
    fix: 'Probe with the runtime the image already has (`node -e "fetch(...)"`, `python -c "import urllib.request..."`), or install the tool in the final stage.',
    examples: {
      bad: {
        Dockerfile:
          'FROM node:20.20.2-bookworm-slim\nUSER node\nHEALTHCHECK CMD curl -f http://127.0.0.1:3000/health || exit 1\nCMD ["node", "server.js"]\n',
      },
      good: {
        Dockerfile:
          'FROM node:20.20.2-bookworm-slim\nUSER node\nHEALTHCHECK CMD ["node", "-e", "fetch(\'http://127.0.0.1:3000/health\').then(r=>process.exit(r.ok?0:1),()=>process.exit(1))"]\nCMD ["node", "server.js"]\n',
      },
    },
  },
  check(facts) {
    const out: RuleResult[] = [];
    for (const { dockerfile } of facts.dockerfiles) {
      const final = dockerfile.final;
      const healthcheck = final?.healthcheck;
      if (!final || !healthcheck || healthcheck.none || !healthcheck.exec) continue;
      const exec = healthcheck.exec;
      const commands = commandsOf(exec.argv, exec.form === "shell" ? exec.script : undefined);
      const { base } = rootOf(dockerfile, final);
      const where = `${base.repository}:${base.tag ?? ""}`;
      const alpine = /alpine/.test(where);
      const minimal = /slim|alpine|distroless/.test(where);
      if (!minimal || base.unresolved) continue;
      const shipped = dockerfile.stages.filter((stage) => stage.shipped);
      for (const tool of ["curl", "wget"]) {
        const call = commands.find((argv) => programOf(argv) === tool);
        if (!call) continue;
        // busybox in alpine images provides wget.
        if (tool === "wget" && alpine) continue;
        const installed = shipped.some(
          (stage) =>
            [...aptInstalls(stage), ...apkAdds(stage)].some((install) =>
              packagesOf(install).some((name) => name.split("=")[0] === tool),
            ) ||
            stage.runs.some((run) => run.commands.some((command) => programOf(command.argv) === tool)) ||
            stage.copies.some((copy) =>
              [...copy.sources, copy.destination].some((path) => new RegExp(`(?:^|/)${tool}$`).test(path)),
            ),
        );
        if (installed) continue;
        const url = call.find((word) => /^https?:\/\//.test(word)) ?? "http://127.0.0.1:<port>/health";
        const node = base.repository === "node" || /distroless\/nodejs/.test(base.repository);
        const python = base.repository === "python" || /distroless\/python/.test(base.repository);
        const suggestion = node
          ? `: probe with node instead, \`HEALTHCHECK CMD ${jsonArray(["node", "-e", `fetch('${url}').then(r=>process.exit(r.ok?0:1),()=>process.exit(1))`])}\``
          : python
            ? `: probe with python instead, \`HEALTHCHECK CMD ${jsonArray([/distroless/.test(base.repository) ? "python3" : "python", "-c", `import urllib.request; urllib.request.urlopen('${url}', timeout=2)`])}\``
            : `: install \`${tool}\` in the final stage or probe with a program the image has`;
        out.push({
          location: {
            file: dockerfile.file,
            line: healthcheck.instruction.line,
            column: healthcheck.instruction.column,
          },
          message: `The \`HEALTHCHECK\` runs \`${tool}\`, which \`${base.text}\` does not have, so the check always fails and the container stays unhealthy${suggestion}`,
        });
      }
    }
    return out;
  },
};
