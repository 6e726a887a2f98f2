/** apt-get / apk installs as the package rules read them. */
import type { RunFacts, StageFacts } from "../../facts/dockerfile.js";
import { type InstallCommand, installCommands } from "../helpers.js";

/** `apt-get install` / `apt install` commands of a stage. */
export function aptInstalls(stage: StageFacts): InstallCommand[] {
  return installCommands(stage).filter(
    (install) => (install.manager === "apt-get" || install.manager === "apt") && install.action === "install",
  );
}

/** `apk add` commands of a stage. */
export function apkAdds(stage: StageFacts): InstallCommand[] {
  return installCommands(stage).filter((install) => install.manager === "apk" && install.action === "add");
}

const APT_VALUE_OPTIONS = new Set(["-o", "--option", "-t", "--target-release", "-c", "--config-file"]);
const APK_VALUE_OPTIONS = new Set(["-t", "--virtual", "-X", "--repository", "-p", "--root", "--arch"]);

/** Package words of an apt-get/apk install (flags and their values left out). */
export function packagesOf(install: InstallCommand): string[] {
  const values = install.manager === "apk" ? APK_VALUE_OPTIONS : APT_VALUE_OPTIONS;
  const start = install.argv.indexOf(install.action);
  const words = install.argv.slice(start + 1);
  const out: string[] = [];
  for (let i = 0; i < words.length; i++) {
    const word = words[i] ?? "";
    if (word.startsWith("-")) {
      if (values.has(word)) i++;
      continue;
    }
    out.push(word);
  }
  return out;
}

/** The `--virtual` name of an `apk add`, if any. */
export function apkVirtual(install: InstallCommand): string | undefined {
  const index = install.argv.findIndex((word) => word === "-t" || word === "--virtual");
  if (index >= 0) return install.argv[index + 1];
  return install.argv.find((word) => word.startsWith("--virtual="))?.slice("--virtual=".length);
}

/** Whether a RUN has a cache mount on (or under) a directory. */
export function cacheMountOn(run: RunFacts, dir: string): boolean {
  return run.mounts.some(
    (mount) =>
      mount.type === "cache" &&
      ((mount.target ?? mount.dst ?? mount.destination ?? "").replace(/\/+$/, "") === dir ||
        (mount.target ?? mount.dst ?? mount.destination ?? "").startsWith(`${dir}/`) ||
        dir.startsWith(`${(mount.target ?? mount.dst ?? mount.destination ?? "").replace(/\/+$/, "")}/`)),
  );
}

/** Whether a RUN removes a directory (`rm -rf /var/lib/apt/lists/*`). */
export function removes(run: RunFacts, dir: string): boolean {
  return run.commands.some(
    (command) =>
      command.argv[0] === "rm" && command.argv.some((word) => word === dir || word.startsWith(`${dir}/`)),
  );
}
