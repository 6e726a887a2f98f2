import { isWithin } from "../../facts/context.js";
import type { DockerfileTarget, ProjectFacts } from "../../facts/project.js";
import type { Rule, RuleResult } from "../../types.js";
import { at, instructionAt, nodeAt } from "../helpers.js";

/** Prefixes bundlers inline into client code at build time, and the package that does it. */
const CLIENT_PREFIXES: Array<{ prefix: RegExp; packages: string[]; bundler: string }> = [
  { prefix: /^VITE_/, packages: ["vite"], bundler: "Vite" },
  { prefix: /^NEXT_PUBLIC_/, packages: ["next"], bundler: "Next.js" },
  { prefix: /^REACT_APP_/, packages: ["react-scripts"], bundler: "Create React App" },
  { prefix: /^PUBLIC_/, packages: ["astro", "@sveltejs/kit"], bundler: "the bundler" },
  { prefix: /^GATSBY_/, packages: ["gatsby"], bundler: "Gatsby" },
];

/** The bundler that bakes a variable into a client bundle built from this context, if one does. */
function bundlerOf(facts: ProjectFacts, target: DockerfileTarget, name: string): string | undefined {
  const packages = facts.app.packages.filter((pkg) => isWithin(pkg.dir, target.context.dir));
  for (const { prefix, packages: names, bundler } of CLIENT_PREFIXES) {
    if (!prefix.test(name)) continue;
    if (
      packages.some((pkg) => names.some((dep) => pkg.dependencies.has(dep) || pkg.devDependencies.has(dep)))
    )
      return bundler;
  }
  const clientRead = facts.app.envReads.some(
    (read) => read.client && read.name === name && isWithin(read.file, target.context.dir),
  );
  return clientRead ? "the bundler" : undefined;
}

export const rule: Rule = {
  meta: {
    id: "SS3010",
    name: "build-time-variable-as-runtime",
    title: "A build-time client variable is configured as if it were read at run time",
    severity: "warning",
    category: "builder-only",
    rationale:
      "Bundlers replace `import.meta.env.VITE_*` / `process.env.NEXT_PUBLIC_*` with their value at build time: an `ARG` default (often `localhost`) is baked into the bundle, and setting the variable when the container runs (`docker run -e`, compose `environment`) changes nothing.",
    fix: "Treat it as a build input (`--build-arg` per environment, no default) or serve real runtime configuration (`/config.js` generated at start, relative `/api` URLs behind a proxy).",
    examples: {
      bad: {
        Dockerfile:
          "FROM node:20.20.2-bookworm-slim AS build\nWORKDIR /app\nCOPY . .\nRUN npm ci\nARG VITE_API_URL=http://localhost:3000\nRUN npm run build\n",
        "package.json":
          '{\n  "scripts": { "build": "vite build" },\n  "devDependencies": { "vite": "^8.3.8" }\n}\n',
      },
      good: {
        Dockerfile:
          "FROM node:20.20.2-bookworm-slim AS build\nWORKDIR /app\nCOPY . .\nRUN npm ci\nARG VITE_API_URL\nRUN npm run build\n",
        "package.json":
          '{\n  "scripts": { "build": "vite build" },\n  "devDependencies": { "vite": "^8.3.8" }\n}\n',
      },
    },
  },
  check(facts) {
    const results: RuleResult[] = [];
    for (const target of facts.dockerfiles) {
      const dockerfile = target.dockerfile;
      for (const stage of dockerfile.stages) {
        for (const arg of stage.args) {
          const bundler = bundlerOf(facts, target, arg.name);
          if (!bundler) continue;
          const reference = new RegExp(`\\$\\{?${arg.name}\\b`);
          const exported = dockerfile.stages.some((other) =>
            other.env.some(
              (variable) =>
                variable.name === arg.name &&
                variable.instruction.start > arg.instruction.start &&
                reference.test(variable.value ?? ""),
            ),
          );
          if (arg.value === undefined && !exported) continue;
          const how =
            arg.value !== undefined
              ? "its default is baked into the bundle"
              : "the `ENV` that re-exports it only exists at build time";
          results.push({
            location: instructionAt(dockerfile, arg.instruction),
            message: `\`${arg.name}\` is inlined by ${bundler} when the bundle is built: ${how}, and setting \`${arg.name}\` when the container runs changes nothing; build per environment with \`--build-arg\` (no default) or serve runtime configuration`,
          });
        }
      }
      for (const { compose, service } of target.services) {
        const facts_ = compose.services.find((candidate) => candidate.name === service);
        for (const entry of facts_?.environment ?? []) {
          const bundler = bundlerOf(facts, target, entry.name);
          if (!bundler) continue;
          results.push({
            location: nodeAt(compose.file, entry.position),
            message: `\`${entry.name}\` in \`environment\` of \`${service}\` does nothing: ${bundler} inlined its value when the image was built; pass it under \`build.args\` instead`,
            related: [{ ...at(dockerfile.file, 1), message: "the image it builds" }],
          });
        }
      }
    }
    return results;
  },
};
