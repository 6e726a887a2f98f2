import type { Rule, RuleResult } from "../../types.js";
import { aptInstalls, packagesOf } from "./apt.js";
import { commandAt } from "./query.js";

export const rule: Rule = {
  meta: {
    id: "SS1014",
    name: "apt-package-unpinned",
    title: "apt packages installed without a version",
    severity: "info",
    category: "reproducibility",
    rationale:
      "`apt-get install curl` installs whatever version the mirror has that day. Off by default: Debian mirrors drop superseded versions, so exact pins break builds within weeks; a digest-pinned base image is the sturdier lever.",
    fix: "Pin versions (`curl=7.88.1-10+deb12u12`) where you can keep them current, or rely on a digest-pinned base image.",
    equivalents: { hadolint: ["DL3008"] },
    disabledByDefault: true,
    examples: {
      bad: {
        Dockerfile:
          "FROM debian:12.12-slim\nRUN apt-get update && apt-get install -y --no-install-recommends tini && rm -rf /var/lib/apt/lists/*\n",
      },
      good: {
        Dockerfile:
          "FROM debian:12.12-slim\nRUN apt-get update && apt-get install -y --no-install-recommends tini=0.19.0-1+b3 && rm -rf /var/lib/apt/lists/*\n",
      },
    },
  },
  check(facts) {
    const out: RuleResult[] = [];
    for (const { dockerfile } of facts.dockerfiles) {
      for (const stage of dockerfile.stages) {
        for (const install of aptInstalls(stage)) {
          const loose = packagesOf(install).filter(
            (name) =>
              !name.includes("=") && !/\$/.test(name) && !/\.deb$/.test(name) && !name.startsWith("/"),
          );
          if (loose.length === 0) continue;
          const listed = loose.slice(0, 4).map((name) => `\`${name}\``);
          const more = loose.length > 4 ? ` and ${loose.length - 4} more` : "";
          out.push({
            location: commandAt(dockerfile, install),
            message: `${listed.join(", ")}${more} installed without a version: pin \`${loose[0]}=<version>\``,
          });
        }
      }
    }
    return out;
  },
};
