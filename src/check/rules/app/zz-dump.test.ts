import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { it } from "vitest";
import { projectFacts } from "../../facts/project.js";
import { loadTree } from "../../load.js";
const ROOT = fileURLToPath(new URL("../../../../", import.meta.url));
it("dump", () => {
  for (const name of ["ai-naive-express","hardened-express","vite-spa","next-app","python-fastapi","python-stdlib","builder-traps/undeclared-env","builder-traps/listens-localhost","builder-traps/build-time-api-url"]) {
    const f = projectFacts(loadTree(join(ROOT, "test/fixtures/apps", name)));
    const a = f.app;
    console.log("#####", name, JSON.stringify({
      envReads: a.envReads.map(r => `${r.file}:${r.line} ${r.name} ${r.kind} fb=${r.fallback} direct=${r.direct} client=${r.client}`),
      checked: [...a.checkedEnv], listens: a.listens, sig: a.signalHandlers, health: a.healthRoutes.map(h=>({...h, body: h.body.slice(0,200)})),
      schema: a.schemaCreation, deps: [...a.allDependencies], envFiles: a.envFiles.map(e=>e.file), src: a.sourceFiles,
      dockerfiles: f.dockerfiles.map(d => ({ file: d.dockerfile.file, ctx: d.context.dir, services: d.services.map(s=>s.service) })),
    }, null, 1));
  }
});
