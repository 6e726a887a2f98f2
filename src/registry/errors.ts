import { ShipshapeError } from "../errors.js";

export type RegistryErrorKind = "not-found" | "unauthorized" | "rate-limited" | "unreachable" | "protocol";

/**
 * A registry could not tell us what an image is. The message names the image, the registry and
 * what happened; it never contains a credential or token.
 */
export class RegistryError extends ShipshapeError {
  readonly kind: RegistryErrorKind;
  /** The image as the user wrote it. */
  readonly image: string;
  /** The registry (`docker.io`, `ghcr.io`) or mirror URL that answered last. */
  readonly registry: string;
  /** What happened, without the image and registry (`no such tag (404 …)`). */
  readonly what: string;
  /** The HTTP status, when the registry answered at all. */
  readonly status: number | undefined;

  constructor(
    kind: RegistryErrorKind,
    details: {
      image: string;
      registry: string;
      what: string;
      hint?: string;
      status?: number;
      cause?: unknown;
    },
  ) {
    super(`cannot resolve ${details.image} at ${details.registry}: ${details.what}`, {
      ...(details.hint === undefined ? {} : { hint: details.hint }),
      ...(details.cause === undefined ? {} : { cause: details.cause }),
    });
    this.kind = kind;
    this.image = details.image;
    this.registry = details.registry;
    this.what = details.what;
    this.status = details.status;
  }
}
