/**
 * The whole command surface of shipshape. Commands that are not built yet are listed so that
 * `--help` shows the product as it will be, and say so plainly when run (exit 2).
 */
export interface CommandEntry {
  name: string;
  args: string;
  summary: string;
  built: boolean;
}

export const COMMANDS: readonly CommandEntry[] = [
  {
    name: "check",
    args: "[dir]",
    summary: "audit Dockerfiles, .dockerignore, compose files, the build context and the app's code",
    built: true,
  },
  {
    name: "init",
    args: "[dir]",
    summary: "detect the stack and write a hardened, reproducible setup",
    built: true,
  },
  {
    name: "fix",
    args: "[dir]",
    summary: "repair an existing setup: check's mechanical fixes plus structural ones, as diffs",
    built: true,
  },
  {
    name: "pin",
    args: "[dir]",
    summary: "pin base images to tag@sha256 digests (--check for CI)",
    built: true,
  },
  {
    name: "build",
    args: "[dir]",
    summary: "build with BuildKit, provenance labels, immutable tags and build secrets",
    built: true,
  },
  {
    name: "verify",
    args: "[dir|image]",
    summary: "prove the image runs anywhere, against a real engine",
    built: true,
  },
  {
    name: "sbom",
    args: "[image]",
    summary: "inventory of the image's OS and language packages",
    built: false,
  },
  {
    name: "scan",
    args: "[image]",
    summary: "match the image's packages against known vulnerabilities",
    built: false,
  },
  {
    name: "deploy",
    args: "[dir]",
    summary: "health-gated, zero-downtime deploy with migrations first",
    built: false,
  },
  { name: "rollback", args: "", summary: "switch back to the previous release", built: false },
  { name: "status", args: "", summary: "what is deployed and whether it is healthy", built: false },
  { name: "logs", args: "", summary: "logs of the deployed app", built: false },
  {
    name: "sandbox",
    args: "-- CMD [ARGS...]",
    summary: "run an untrusted command in a locked-down container",
    built: true,
  },
  { name: "mcp", args: "", summary: "serve shipshape's commands to AI agents over MCP", built: false },
];
