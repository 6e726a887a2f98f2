/** `pin`: digest-pinned image references (Dockerfile FROM, `# syntax=`, compose `image:`). */
export {
  type FindOptions,
  type FoundReferences,
  findReferences,
  fromImageToken,
  type PinReference,
  type ReferenceKind,
  type TextSpan,
  type Unpinnable,
} from "./find.js";
export {
  type ImageResolver,
  type PinEntry,
  type PinMode,
  type PinOptions,
  type PinResult,
  type PinStatus,
  pinCheckPassed,
  pinProject,
} from "./pin.js";
export { engineMirrors, type RegistryResolverOptions, registryResolver } from "./registry.js";
export { applyEdits, pinnedText, splitWritten, type TextEdit } from "./rewrite.js";
export { candidateTags, isImpreciseTag } from "./tags.js";
