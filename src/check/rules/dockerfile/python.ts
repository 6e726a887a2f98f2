/**
 * `pip install` as the Python rules read it: requirement specs, requirement and constraint
 * files, hashes; and the requirement files of the project the install reads.
 */

import type { DockerfileTarget, ProjectFacts } from "../../facts/project.js";
import type { SourceText } from "../../facts/source.js";
import type { InstallCommand } from "../helpers.js";

/** pip options that take a value as the next word. */
const VALUE_OPTIONS = new Set([
  "-r",
  "--requirement",
  "-c",
  "--constraint",
  "-e",
  "--editable",
  "-t",
  "--target",
  "--platform",
  "--python-version",
  "--implementation",
  "--abi",
  "--root",
  "--prefix",
  "--src",
  "--upgrade-strategy",
  "--progress-bar",
  "--root-user-action",
  "--report",
  "-i",
  "--index-url",
  "--extra-index-url",
  "-f",
  "--find-links",
  "--trusted-host",
  "--cache-dir",
  "--log",
  "--proxy",
  "--retries",
  "--timeout",
  "--exists-action",
  "--cert",
  "--client-cert",
  "--global-option",
  "--install-option",
  "--config-settings",
  "-C",
  "--no-binary",
  "--only-binary",
  "--python",
  "-p",
  "--keyring-provider",
  "--index-strategy",
  "--extra",
]);

export interface PipInstall {
  requirements: string[];
  constraints: string[];
  editables: string[];
  /** Requirement specifiers and paths/URLs given as arguments. */
  specs: string[];
  requireHashes: boolean;
  options: string[];
}

/** Read the words after `install` of `pip install` / `uv pip install`. */
export function pipInstallOf(install: InstallCommand): PipInstall | undefined {
  const isPip = install.manager === "pip" || (install.manager === "uv" && install.argv[1] === "pip");
  if (!isPip || install.action !== "install") return undefined;
  const start = install.argv.indexOf("install");
  const words = install.argv.slice(start + 1);
  const out: PipInstall = {
    requirements: [],
    constraints: [],
    editables: [],
    specs: [],
    requireHashes: false,
    options: [],
  };
  for (let i = 0; i < words.length; i++) {
    const word = words[i] ?? "";
    if (word.startsWith("-")) {
      const eq = word.indexOf("=");
      const name = eq > 0 && word.startsWith("--") ? word.slice(0, eq) : word;
      let value: string | undefined;
      if (eq > 0 && word.startsWith("--")) value = word.slice(eq + 1);
      else if (/^-[rce]./.test(word)) value = word.slice(2);
      else if (VALUE_OPTIONS.has(name)) value = words[++i];
      const short = name.length > 2 && !name.startsWith("--") ? name.slice(0, 2) : name;
      out.options.push(name);
      if (name === "--require-hashes") out.requireHashes = true;
      if (value === undefined) continue;
      if (short === "-r" || name === "--requirement") out.requirements.push(value);
      else if (short === "-c" || name === "--constraint") out.constraints.push(value);
      else if (short === "-e" || name === "--editable") out.editables.push(value);
      continue;
    }
    if (word === "@" && out.specs.length > 0) {
      // `pkg @ https://…` written unquoted: a direct reference.
      out.specs[out.specs.length - 1] = `${out.specs.at(-1)} @ ${words[++i] ?? ""}`;
      continue;
    }
    out.specs.push(word);
  }
  return out;
}

/** A spec names a package from an index (not a path, URL or variable). */
export function isIndexSpec(spec: string): boolean {
  if (/\$/.test(spec)) return false;
  if (/^[./~]/.test(spec) || /:\/\//.test(spec) || /^[a-z]+\+/.test(spec)) return false;
  if (/\.(?:whl|zip|tar\.gz|tgz|tar\.bz2)$/.test(spec)) return false;
  return /^[A-Za-z0-9]/.test(spec);
}

/** Whether an index spec names one version (`==`, `===`) or a direct reference (`@`). */
export function isPinnedSpec(spec: string): boolean {
  return /===?/.test(spec) || /\s@\s|^[A-Za-z0-9._-]+(?:\[[^\]]*\])?\s*@/.test(spec);
}

/** Packages that bootstrap the installer itself. */
export const INSTALLER_PACKAGES = new Set(["pip", "setuptools", "wheel", "uv"]);

export function packageName(spec: string): string {
  return (/^[A-Za-z0-9._-]+/.exec(spec)?.[0] ?? spec).toLowerCase();
}

/** The requirements file a `-r` argument names, found in the project. */
export function requirementsFile(
  facts: ProjectFacts,
  target: DockerfileTarget,
  path: string,
  relativeTo?: string,
): SourceText | undefined {
  if (/\$/.test(path)) return undefined;
  const cleaned = path.replace(/^\.?\/+/, "").replace(/^(?:\.\/)+/, "");
  const prefix = target.context.dir === "" ? "" : `${target.context.dir}/`;
  const candidates =
    relativeTo !== undefined ? [relativeTo === "" ? cleaned : `${relativeTo}/${cleaned}`] : [];
  if (!path.startsWith("/")) candidates.push(prefix + cleaned);
  for (const candidate of candidates) {
    const source = facts.text(normalise(candidate));
    if (source) return source;
  }
  const base = cleaned.slice(cleaned.lastIndexOf("/") + 1);
  const matches = facts.app.pythonManifests.filter(
    (manifest) =>
      manifest.kind === "requirements" &&
      manifest.file.startsWith(prefix) &&
      (manifest.file === prefix + base || manifest.file.endsWith(`/${base}`)),
  );
  return matches.length === 1 ? matches[0]?.source : undefined;
}

function normalise(path: string): string {
  const parts: string[] = [];
  for (const part of path.split("/")) {
    if (part === "" || part === ".") continue;
    if (part === "..") parts.pop();
    else parts.push(part);
  }
  return parts.join("/");
}

export interface RequirementLine {
  file: string;
  line: number;
  text: string;
}

export interface RequirementsReading {
  /** Lines naming an index package without `==`. */
  unpinned: RequirementLine[];
  /** Lines installing from a VCS URL. */
  vcs: RequirementLine[];
  /** Hashes or constraints make every line exact. */
  locked: boolean;
}

/** Read a requirements file and the files it includes (`-r other.txt`). */
export function readRequirements(
  facts: ProjectFacts,
  target: DockerfileTarget,
  source: SourceText,
  depth = 0,
): RequirementsReading {
  const out: RequirementsReading = { unpinned: [], vcs: [], locked: false };
  if (/--hash[=\s]|--require-hashes/.test(source.text)) out.locked = true;
  const dir = source.path.includes("/") ? source.path.slice(0, source.path.lastIndexOf("/")) : "";
  for (let line = 1; line <= source.lineCount; line++) {
    const text = source
      .line(line)
      .replace(/(^|\s)#.*$/, "")
      .trim();
    if (text === "") continue;
    const include = /^(?:-r|--requirement)[=\s]*(\S+)/.exec(text);
    if (include?.[1]) {
      const other = depth < 3 ? requirementsFile(facts, target, include[1], dir) : undefined;
      if (other) {
        const inner = readRequirements(facts, target, other, depth + 1);
        out.unpinned.push(...inner.unpinned);
        out.vcs.push(...inner.vcs);
        if (inner.locked) out.locked = true;
      }
      continue;
    }
    if (/^(?:-c|--constraint)\b/.test(text)) {
      out.locked = true;
      continue;
    }
    const editable = /^(?:-e|--editable)[=\s]*(\S+)/.exec(text);
    const spec = editable?.[1] ?? text;
    if (/^(?:git|hg|svn|bzr)\+/.test(spec) || /@\s*(?:git|hg|svn|bzr)\+/.test(spec)) {
      out.vcs.push({ file: source.path, line, text });
      continue;
    }
    if (text.startsWith("-")) continue;
    if (!isIndexSpec(spec) || isPinnedSpec(spec)) continue;
    if (INSTALLER_PACKAGES.has(packageName(spec))) continue;
    out.unpinned.push({ file: source.path, line, text });
  }
  return out;
}
