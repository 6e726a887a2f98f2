/** The registry client: image references, tag → digest resolution, credentials. */

export {
  MEDIA_TYPES,
  matchPlatform,
  nextPage,
  type PlatformManifest,
  parseChallenge,
  parsePlatform,
  parseRetryAfter,
  RegistryClient,
  type RegistryClientOptions,
  type ResolvedImage,
  type ResolveOptions,
  type TagList,
  type TagsOptions,
} from "./client.js";
export { type Credential, type CredentialLookup, DockerCredentials } from "./credentials.js";
export { RegistryError, type RegistryErrorKind } from "./errors.js";
export {
  canonicalReference,
  DOCKER_HUB_API_HOST,
  DOCKER_HUB_AUTH_KEY,
  DOCKER_HUB_DOMAIN,
  familiarReference,
  type ImageReference,
  parseReference,
} from "./reference.js";
