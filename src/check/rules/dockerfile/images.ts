/**
 * Every image reference a project pulls: base images of Dockerfile stages (ARG values resolved)
 * and compose `image:` of services that do not build. Rules about tags read this one list.
 */

import type { ImageRef } from "../../facts/image.js";
import type { ProjectFacts } from "../../facts/project.js";
import type { Location } from "../../types.js";

export interface PulledImage {
  ref: ImageRef;
  location: Location;
  /** "dockerfile" FROM (with its stage) or a compose service. */
  source: "dockerfile" | "compose";
  shipped: boolean;
  /** Offsets of the reference text in its file, for fixes. */
  file: string;
}

// Five rules read the list: it is made once per project's facts. Shared: callers must not modify it.
const pulledByFacts = new WeakMap<ProjectFacts, PulledImage[]>();

export function pulledImages(facts: ProjectFacts): PulledImage[] {
  let known = pulledByFacts.get(facts);
  if (!known) {
    known = listPulledImages(facts);
    pulledByFacts.set(facts, known);
  }
  return known;
}

function listPulledImages(facts: ProjectFacts): PulledImage[] {
  const out: PulledImage[] = [];
  for (const { dockerfile } of facts.dockerfiles) {
    for (const stage of dockerfile.stages) {
      if (stage.parentStage !== undefined || stage.base.repository === "scratch" || stage.base.unresolved)
        continue;
      const column = dockerfile.source.line(stage.from.line).indexOf(stage.baseText) + 1;
      out.push({
        ref: stage.base,
        location: { file: dockerfile.file, line: stage.from.line, column: column > 0 ? column : 1 },
        source: "dockerfile",
        shipped: stage.shipped,
        file: dockerfile.file,
      });
    }
  }
  for (const compose of facts.composeFiles) {
    for (const service of compose.services) {
      // With `build:`, `image:` names the image being built, not one that is pulled.
      if (!service.image || service.build || service.image.ref.unresolved) continue;
      out.push({
        ref: service.image.ref,
        location: {
          file: compose.file,
          line: service.image.position.line,
          column: service.image.position.column,
        },
        source: "compose",
        shipped: true,
        file: compose.file,
      });
    }
  }
  return out;
}
