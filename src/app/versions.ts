/**
 * The exact releases shipshape knows of, per image: what `init` writes into a `FROM` and what
 * `check` suggests instead of a floating tag. Not a lookup: `shipshape pin` resolves digests
 * against a registry; these are the versions this release of shipshape was built and tested with.
 */

export interface KnownImage {
  /** The exact version of the newest line shipshape knows. */
  version: string;
  /** The OS variant written after the version (`bookworm-slim`). */
  variant: string;
  /** Exact versions per major/minor line, for apps that ask for one (`engines.node: 22`). */
  lines?: Record<string, string>;
}

export const KNOWN_IMAGES: Record<string, KnownImage> = {
  node: {
    version: "20.20.2",
    variant: "bookworm-slim",
    lines: { "18": "18.20.8", "20": "20.20.2", "22": "22.21.1", "24": "24.11.1" },
  },
  python: {
    version: "3.11.14",
    variant: "slim-bookworm",
    lines: { "3.10": "3.10.19", "3.11": "3.11.14", "3.12": "3.12.12", "3.13": "3.13.9" },
  },
  postgres: { version: "15.18", variant: "bookworm" },
  redis: { version: "7.4.6", variant: "bookworm" },
  mysql: { version: "8.4.7", variant: "oracle" },
  mongo: { version: "7.0.25", variant: "jammy" },
  nginx: { version: "1.28.0", variant: "bookworm" },
  debian: { version: "12.12", variant: "slim" },
};

/** The exact version for a requested line (`20` → `20.20.2`), or undefined when shipshape has none. */
export function exactVersion(image: string, line: string): string | undefined {
  const known = KNOWN_IMAGES[image];
  if (!known) return undefined;
  if (/^\d+\.\d+\.\d+$/.test(line)) return line;
  return known.lines?.[line];
}

/** `node:20.20.2-bookworm-slim`. */
export function imageTag(image: string, version?: string): string {
  const known = KNOWN_IMAGES[image];
  if (!known) throw new Error(`no known release of ${image}`);
  return `${image}:${version ?? known.version}-${known.variant}`;
}
