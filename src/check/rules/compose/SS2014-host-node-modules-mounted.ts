import { normalise } from "../../facts/compose.js";
import { dirName } from "../../facts/tree.js";
import type { Rule, RuleResult } from "../../types.js";
import { nodeAt } from "../helpers.js";
import { allServices, siblingServices } from "./support.js";

export const rule: Rule = {
  meta: {
    id: "SS2014",
    name: "host-node-modules-mounted",
    title: "Bind mount replaces the image's `node_modules` with the host's",
    severity: "warning",
    category: "builder-only",
    rationale:
      "Bind-mounting the project over the app directory hides the `node_modules` the image installed: the container runs the host's modules, whose native binaries (esbuild, bcrypt, sharp) were built for the host OS, or no modules at all on a fresh clone.",
    fix: "Add an anonymous volume for the modules after the bind mount (`- /app/node_modules`) so the image's stay in place.",
    examples: {
      bad: {
        "compose.yaml": "services:\n  app:\n    build: .\n    volumes:\n      - .:/app\n",
        "package.json": '{ "name": "app" }\n',
      },
      good: {
        "compose.yaml":
          "services:\n  app:\n    build: .\n    volumes:\n      - .:/app\n      - /app/node_modules\n",
        "package.json": '{ "name": "app" }\n',
      },
    },
  },
  check(facts) {
    const out: RuleResult[] = [];
    for (const { compose, service } of allServices(facts)) {
      const composeDir = dirName(compose.file);
      for (const volume of service.volumes) {
        const source = volume.source?.trim();
        if (volume.type !== "bind" || !source || /^[/$~\\]/.test(source) || /^[A-Za-z]:/.test(source))
          continue;
        const target = volume.target?.trim().replace(/\/+$/, "");
        if (!target?.startsWith("/") || target === "") continue;
        const dir = normalise(composeDir === "" ? source : `${composeDir}/${source}`);
        if (dir.startsWith("..")) continue;
        const manifest = dir === "" ? "package.json" : `${dir}/package.json`;
        if (!facts.tree.entries.has(manifest)) continue;
        const modules = `${target}/node_modules`;
        const kept = siblingServices(facts, compose, service.name).some(
          ({ service: sibling }) =>
            sibling.volumes.some(
              (other) => other.type !== "bind" && other.target?.trim().replace(/\/+$/, "") === modules,
            ) || sibling.tmpfs.some((path) => path.split(":")[0]?.replace(/\/+$/, "") === modules),
        );
        if (kept) continue;
        const shown = volume.text || `${source}:${target}`;
        out.push({
          location: nodeAt(service.file, volume.position),
          message: `\`${shown}\` mounts \`${manifest}\`'s directory over \`${target}\` with no volume for \`${modules}\`: \`${service.name}\` runs the host's \`node_modules\` (native modules built for the host OS, or none); add \`- ${modules}\``,
        });
      }
    }
    return out;
  },
};
