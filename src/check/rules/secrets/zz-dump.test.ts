import { readdirSync, statSync } from "node:fs";
import { join } from "node:path";
import { it } from "vitest";
import { runRules } from "../../engine.js";
import { projectFacts } from "../../facts/project.js";
import { loadTree } from "../../load.js";
import { SECRETS_RULES } from "./index.js";

it("dump", () => {
  const base = "/work/main/test/fixtures/apps";
  const dirs = ["ai-naive-express","hardened-express","vite-spa","next-app","python-fastapi","python-stdlib", ...readdirSync(join(base,"builder-traps")).filter(d=>statSync(join(base,"builder-traps",d)).isDirectory()).map(d=>"builder-traps/"+d)];
  for (const d of dirs) {
    const facts = projectFacts(loadTree(join(base, d)));
    const r = runRules(facts, {}, SECRETS_RULES);
    console.log("#### " + d);
    for (const f of r.findings) {
      console.log(`${f.ruleId} ${f.severity} ${f.location.file}:${f.location.line}:${f.location.column} ${f.message}`);
      if (f.related) console.log("   related", JSON.stringify(f.related));
      if (f.fix) console.log("   FIX", JSON.stringify(f.fix));
    }
  }
});
