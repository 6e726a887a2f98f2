import { type ImageRef, isFullLanguageImage, tagPrecision } from "../../facts/image.js";
import type { Rule, RuleResult } from "../../types.js";
import { apkAdds, apkVirtual, aptInstalls, packagesOf } from "./apt.js";
import { commandAt, rootOf } from "./query.js";
import { suggestTag } from "./suggest.js";

const COMPILERS = new Set(["build-essential", "build-base", "gcc", "g++", "make", "clang", "cmake", "cpp"]);

function slimFor(ref: ImageRef): string | undefined {
  const precision = tagPrecision(ref);
  const version = /^v?\d+(?:\.\d+)*/.exec(ref.tag ?? "")?.[0];
  // An exact slim tag in the line the user chose (`node:20` → `node:20.20.2-bookworm-slim`).
  const suggestion = suggestTag(ref);
  const suggested = suggestion?.slice(suggestion.indexOf(":") + 1) ?? "";
  const sameLine =
    precision === "missing" || precision === "latest" || precision === "floating"
      ? true
      : version !== undefined && (suggested === version || suggested.startsWith(`${version}.`));
  if (suggestion && sameLine && /slim/.test(suggested)) return suggestion;
  if (!version) return undefined;
  if (ref.repository === "node") return `node:${version}-bookworm-slim`;
  if (ref.repository === "python") return `python:${version}-slim-bookworm`;
  if (ref.repository === "ruby" || ref.repository === "perl" || ref.repository === "rust")
    return `${ref.repository}:${version}-slim`;
  return undefined;
}

export const rule: Rule = {
  meta: {
    id: "SS1206",
    name: "build-tools-in-runtime",
    title: "Compilers and build tools in the shipped image",
    severity: "warning",
    category: "hardening",
    rationale:
      "The full language images (`node:20`, `python:3.12`) and `build-essential` carry gcc, make, git and headers: hundreds of megabytes, hundreds of CVEs to triage, and tools an attacker can use, none of which the running app needs.",
    fix: "Build in a separate stage and ship from a `-slim` (or distroless) base; install compilers only in the build stage.",
    examples: {
      bad: { Dockerfile: 'FROM node:20\nUSER node\nCMD ["node", "server.js"]\n' },
      good: {
        Dockerfile:
          'FROM node:20 AS build\nRUN echo build\nFROM node:20.20.2-bookworm-slim\nUSER node\nCMD ["node", "server.js"]\n',
      },
    },
  },
  check(facts) {
    const out: RuleResult[] = [];
    for (const { dockerfile } of facts.dockerfiles) {
      const final = dockerfile.final;
      if (!final) continue;
      const root = rootOf(dockerfile, final);
      if (!root.base.unresolved && root.base.repository !== "scratch" && isFullLanguageImage(root.base)) {
        const slim = slimFor(root.base);
        out.push({
          location: { file: dockerfile.file, line: root.stage.from.line, column: root.stage.from.column },
          message: `\`${root.base.text}\` is the full image, so gcc, make, git and headers ship with the app: build in a separate stage and run from ${slim ? `\`${slim}\`` : "a `-slim` or distroless base"}`,
        });
      }
      for (const stage of dockerfile.stages) {
        if (!stage.shipped) continue;
        for (const install of [...aptInstalls(stage), ...apkAdds(stage)]) {
          const compilers = packagesOf(install).filter((name) => COMPILERS.has(name.split("=")[0] ?? name));
          if (compilers.length === 0) continue;
          const virtual = apkVirtual(install);
          const removed = install.run.commands.some((command) => {
            const words = command.argv;
            const removing =
              ((words[0] === "apt-get" || words[0] === "apt") &&
                words.some((word) => word === "purge" || word === "remove")) ||
              (words[0] === "apk" && words.includes("del"));
            return (
              removing && words.some((word) => compilers.includes(word) || (virtual && word === virtual))
            );
          });
          if (removed) continue;
          out.push({
            location: commandAt(dockerfile, install),
            message: `${compilers.map((name) => `\`${name}\``).join(", ")} stay${compilers.length === 1 ? "s" : ""} in the shipped image: install ${compilers.length === 1 ? "it" : "them"} in a build stage and copy only the build output`,
          });
        }
      }
    }
    return out;
  },
};
