/**
 * Check 7 of `shipshape verify`, metadata and size: pure over what inspectImageContents read
 * (the image config and the layers) and what detection knows about the app (its real port, its
 * health path).
 *
 * Policy: a root final user, an EXPOSE that disagrees with the port the app listens on, and no
 * HEALTHCHECK fail. The OCI labels (source, revision, created, version) are set by the build that
 * knows them (CI: `docker build --label org.opencontainers.image.revision=$(git rev-parse HEAD)`),
 * not by the Dockerfile: missing ones are warnings on a passing check. Size is evidence (the total
 * and the largest layers with their instructions), never a failure.
 */
import { formatBytes, type ImageContents } from "./contents.js";

export interface MetadataCheck {
  id: string;
  title: string;
  status: "pass" | "fail" | "skip";
  evidence: string[];
  fix?: string;
  /** Worth fixing, not failing: the check still passes (missing OCI labels). */
  warnings?: string[];
}

export interface MetadataExpectations {
  /** The port the app really listens on (from detection or a probe). */
  port?: number;
  /** Where that port was learnt: "src/server.ts:12 listens on PORT (default 3000)". */
  portEvidence?: string;
  /** The app's health endpoint, e.g. /healthz. */
  healthPath?: string;
}

export const OCI_LABELS = [
  "org.opencontainers.image.source",
  "org.opencontainers.image.revision",
  "org.opencontainers.image.created",
  "org.opencontainers.image.version",
] as const;

/** How many of the largest layers the size check lists. */
const LARGEST_LAYERS = 5;

/** `USER` values that are root: empty (the default), `root`, uid 0, with or without a group. */
export function isRootUser(user: string): boolean {
  const name = user.trim().split(":")[0] ?? "";
  return name === "" || name === "root" || /^0+$/.test(name);
}

function userCheck(contents: ImageContents): MetadataCheck {
  const { user } = contents.config;
  const shown = user.trim() === "" ? "no USER (runs as root)" : `USER ${user}`;
  if (!isRootUser(user)) {
    const name = user.split(":")[0]!;
    const known = contents.users.find((account) => account.name === name || String(account.uid) === name);
    const evidence = [`${shown}${known ? ` (uid ${known.uid})` : ""}`];
    if (contents.users.length > 0 && !known && !/^\d+$/.test(name))
      return {
        id: "metadata.user",
        title: "Runs as a non-root user",
        status: "fail",
        evidence: [
          ...evidence,
          `the image's /etc/passwd has no user "${name}": the container will not start`,
        ],
        fix: `create the user in the runtime stage (\`RUN useradd --uid 10001 --no-create-home ${name}\`) or use a numeric \`USER 10001:10001\``,
      };
    return { id: "metadata.user", title: "Runs as a non-root user", status: "pass", evidence };
  }
  const candidate = contents.users.find((account) => account.uid >= 1000 && account.uid < 65534);
  return {
    id: "metadata.user",
    title: "Runs as a non-root user",
    status: "fail",
    evidence: [`${shown}: the app runs as uid 0, with root's capabilities over anything mounted`],
    fix: candidate
      ? `add \`USER ${candidate.name}\` before CMD (the image already has that user, uid ${candidate.uid}), with \`COPY --chown=${candidate.name}:${candidate.name}\` for what it writes`
      : "create an unprivileged user in the runtime stage (`RUN useradd --uid 10001 --no-create-home app`) and add `USER 10001` before CMD",
  };
}

function portCheck(contents: ImageContents, expected: MetadataExpectations): MetadataCheck {
  const exposed = contents.config.exposedPorts;
  const shown = exposed.length > 0 ? `EXPOSE ${exposed.join(" ")}` : "no EXPOSE";
  const base = { id: "metadata.port", title: "EXPOSE matches the port the app listens on" };
  if (expected.port === undefined)
    return { ...base, status: "skip", evidence: [shown, "the port the app listens on is not known"] };
  const real = `the app listens on ${expected.port}${expected.portEvidence ? ` (${expected.portEvidence})` : ""}`;
  const matches = exposed.some((port) => port === `${expected.port}/tcp` || port === String(expected.port));
  if (matches) return { ...base, status: "pass", evidence: [shown, real] };
  return {
    ...base,
    status: "fail",
    evidence: [shown, real],
    fix:
      exposed.length > 0
        ? `change \`${shown}\` to \`EXPOSE ${expected.port}\` (or make the app listen on ${exposed[0]!.split("/")[0]}): orchestrators and \`docker run -P\` publish the exposed port`
        : `add \`EXPOSE ${expected.port}\` to the runtime stage`,
  };
}

function healthcheckCheck(contents: ImageContents, expected: MetadataExpectations): MetadataCheck {
  const test = contents.config.healthcheck;
  const base = { id: "metadata.healthcheck", title: "Has a HEALTHCHECK" };
  const port = expected.port ?? 3000;
  const path = expected.healthPath ?? "/healthz";
  const fix = `add \`HEALTHCHECK --interval=10s --timeout=3s --start-period=15s --retries=3 CMD ["node", "-e", "fetch('http://127.0.0.1:${port}${path}').then(r=>process.exit(r.ok?0:1),()=>process.exit(1))"]\` (slim images have no curl; for Python use \`python -c\` with urllib)`;
  if (!test || test.length === 0)
    return {
      ...base,
      status: "fail",
      evidence: ["no HEALTHCHECK: the engine cannot tell a hung app from a healthy one"],
      fix,
    };
  if (test[0] === "NONE")
    return {
      ...base,
      status: "fail",
      evidence: ["HEALTHCHECK NONE: the base image's check is turned off"],
      fix,
    };
  const command =
    test[0] === "CMD-SHELL" ? test.slice(1).join(" ") : test.slice(test[0] === "CMD" ? 1 : 0).join(" ");
  const evidence = [`HEALTHCHECK CMD ${command.length > 140 ? `${command.slice(0, 137)}…` : command}`];
  if (expected.healthPath && !command.includes(expected.healthPath))
    evidence.push(`it does not mention the app's health path ${expected.healthPath}`);
  return { ...base, status: "pass", evidence };
}

function labelsCheck(contents: ImageContents): MetadataCheck {
  const labels = contents.config.labels;
  const present = OCI_LABELS.filter((label) => labels[label]);
  const missing = OCI_LABELS.filter((label) => !labels[label]);
  const base = { id: "metadata.labels", title: "OCI labels (source, revision, created, version)" };
  const evidence = present.map((label) => `${label}=${labels[label]}`);
  if (missing.length === 0) return { ...base, status: "pass", evidence };
  const args: Record<(typeof OCI_LABELS)[number], string> = {
    "org.opencontainers.image.source": "$(git remote get-url origin)",
    "org.opencontainers.image.revision": "$(git rev-parse HEAD)",
    "org.opencontainers.image.created": "$(date -u +%Y-%m-%dT%H:%M:%SZ)",
    "org.opencontainers.image.version": "$(node -p \"require('./package.json').version\")",
  };
  return {
    ...base,
    status: "pass",
    evidence: evidence.length > 0 ? evidence : ["no OCI labels"],
    warnings: [`missing ${missing.join(", ")}: nobody can trace a running image back to its commit`],
    fix: `set them where the build knows them: \`docker build ${missing.map((label) => `--label ${label}="${args[label]}"`).join(" ")} .\``,
  };
}

function sizeCheck(contents: ImageContents): MetadataCheck {
  const base = { id: "metadata.size", title: "Size and the largest layers" };
  if (contents.layers.length === 0) return { ...base, status: "skip", evidence: ["the image has no layers"] };
  const largest = [...contents.layers]
    .filter((layer) => layer.sizeBytes > 0)
    .sort((a, b) => b.sizeBytes - a.sizeBytes)
    .slice(0, LARGEST_LAYERS);
  const fromBase = contents.layers
    .filter((layer) => layer.fromBase)
    .reduce((sum, layer) => sum + layer.sizeBytes, 0);
  const evidence = [
    `${formatBytes(contents.totalBytes)} in ${contents.layers.length} layers (${formatBytes(fromBase)} from the base image, ${formatBytes(contents.totalBytes - fromBase)} added)`,
    ...largest.map((layer) => {
      const instruction =
        layer.instruction.length > 100 ? `${layer.instruction.slice(0, 97)}…` : layer.instruction;
      return `layer ${layer.index}: ${formatBytes(layer.sizeBytes)}  ${instruction}${layer.fromBase ? " (base)" : ""}`;
    }),
  ];
  return { ...base, status: "pass", evidence };
}

/** Check 7: final user non-root, EXPOSE vs the real port, a HEALTHCHECK, OCI labels, size and the largest layers. */
export function checkMetadata(contents: ImageContents, expected: MetadataExpectations = {}): MetadataCheck[] {
  return [
    userCheck(contents),
    portCheck(contents, expected),
    healthcheckCheck(contents, expected),
    labelsCheck(contents),
    sizeCheck(contents),
  ];
}
