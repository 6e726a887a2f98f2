import { readdirSync, existsSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { it } from "vitest";
import { runRules } from "../../engine.js";
import { projectFacts } from "../../facts/project.js";
import { loadTree } from "../../load.js";
import { DOCKERFILE_RULES } from "./index.js";
const ROOT = fileURLToPath(new URL("../../../../", import.meta.url));
it("probe", () => {
  const base = join(ROOT, "test/fixtures/apps");
  const dirs: string[] = [];
  for (const d of readdirSync(base)) {
    if (existsSync(join(base, d, "Dockerfile"))) dirs.push(d);
    else for (const e of readdirSync(join(base, d))) if (existsSync(join(base, d, e, "Dockerfile"))) dirs.push(`${d}/${e}`);
  }
  for (const d of dirs) {
    const r = runRules(projectFacts(loadTree(join(base, d))), {}, DOCKERFILE_RULES);
    console.log(`### ${d}\n` + r.findings.map((f) => `${f.ruleId} ${f.severity} ${f.location.file}:${f.location.line} ${f.message}${f.fix ? " [fix]" : ""}`).join("\n"));
  }
});
