import type { Rule, RuleResult } from "../../types.js";
import { type InstallCommand, installCommands } from "../helpers.js";
import { pipInstallOf } from "./python.js";
import { commandAt } from "./query.js";

const COMMIT = /^[0-9a-f]{7,40}$/i;
const VERSION = /^v?\d+\.\d+/;

/** A JS package argument that installs from git: the ref it names, or "" for none. */
function jsGitRef(spec: string): string | undefined {
  const git =
    /^(?:git\+[a-z]+:\/\/|git:\/\/|github:|gitlab:|bitbucket:|gist:)/.test(spec) ||
    /^https?:\/\/(?:www\.)?(?:github\.com|gitlab\.com|bitbucket\.org)\/[^/]+\/[^/#]+?(?:\.git)?(?:#.*)?$/.test(
      spec,
    ) ||
    /^[A-Za-z0-9][\w.-]*\/[\w.-]+(?:#.*)?$/.test(spec);
  if (!git) return undefined;
  const hash = spec.indexOf("#");
  return hash < 0 ? "" : spec.slice(hash + 1);
}

function jsMoving(install: InstallCommand): string[] {
  const { manager, action } = install;
  const adds =
    (manager === "npm" && ["install", "i", "add"].includes(action)) ||
    ((manager === "yarn" || manager === "pnpm" || manager === "bun") &&
      ["add", "install", "i"].includes(action));
  if (!adds) return [];
  return install.packages.filter((spec) => {
    if (/\$/.test(spec) || spec.startsWith("@") || spec.startsWith(".") || /\.tgz$|\.tar\.gz$/.test(spec))
      return false;
    const ref = jsGitRef(spec);
    if (ref === undefined) return false;
    const value = ref.replace(/^commit=/, "");
    // A full or short commit, or a release tag (`#v1.2.3`); a branch, `semver:` range or nothing moves.
    return !(COMMIT.test(value) || VERSION.test(value));
  });
}

function pipMoving(install: InstallCommand): string[] {
  const pip = pipInstallOf(install);
  if (!pip) return [];
  return [...pip.specs, ...pip.editables].filter((spec) => {
    const url = /(?:^|@\s*)((?:git|hg|svn|bzr)\+\S+)/.exec(spec)?.[1];
    if (!url || /\$/.test(url)) return false;
    const ref = /\.git@([^#]+)|@([^/@#]+)(?:#|$)/.exec(url.replace(/^[a-z]+\+[a-z]+:\/\/[^/]*@/, "x://"));
    const value = ref?.[1] ?? ref?.[2];
    return !(value && /^[0-9a-f]{40}$/i.test(value));
  });
}

function goMoving(install: InstallCommand): string[] {
  if (install.manager !== "go" || (install.action !== "install" && install.action !== "get")) return [];
  return install.packages.filter((spec) => {
    const at = spec.lastIndexOf("@");
    if (at < 0 || /\$/.test(spec)) return false;
    const version = spec.slice(at + 1);
    return !(/^v\d/.test(version) || COMMIT.test(version));
  });
}

export const rule: Rule = {
  meta: {
    id: "SS1017",
    name: "install-from-moving-source",
    title: "Dependency installed from a branch or `@latest`",
    severity: "warning",
    category: "reproducibility",
    rationale:
      "A git branch, a repository without a commit, or `@latest` is whatever was pushed last: the same Dockerfile builds different code from one day to the next, and nothing in the repository records what went in.",
    fix: "Install a released version, or pin the full commit (`#<40-hex sha>` for npm, `@<sha>` for pip, `@v1.2.3` for `go install`).",
    examples: {
      bad: {
        Dockerfile: "FROM golang:1.23.4-bookworm AS build\nRUN go install github.com/air-verse/air@latest\n",
      },
      good: {
        Dockerfile: "FROM golang:1.23.4-bookworm AS build\nRUN go install github.com/air-verse/air@v1.61.5\n",
      },
    },
  },
  check(facts) {
    const out: RuleResult[] = [];
    for (const { dockerfile } of facts.dockerfiles) {
      for (const stage of dockerfile.stages) {
        for (const install of installCommands(stage)) {
          const moving = [...jsMoving(install), ...pipMoving(install), ...goMoving(install)];
          if (moving.length === 0) continue;
          const spec = moving[0] ?? "";
          const advice =
            install.manager === "go"
              ? "name a released version (`@v1.2.3`)"
              : install.manager === "pip" || install.manager === "uv"
                ? "pin the full commit (`@<40-hex sha>`) or a released version"
                : "pin the full commit (`#<sha>`) or a released version";
          out.push({
            location: commandAt(dockerfile, install),
            message: `\`${spec}\` installs whatever was pushed last: ${advice}`,
          });
        }
      }
    }
    return out;
  },
};
