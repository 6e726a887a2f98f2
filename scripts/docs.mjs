// Regenerates docs/rules.md from the rules' metadata (the built library): `npm run docs`.
import { writeFileSync } from "node:fs";
import { RULES, renderRulesMarkdown } from "../dist/index.js";

writeFileSync(new URL("../docs/rules.md", import.meta.url), renderRulesMarkdown(RULES));
console.log(`wrote docs/rules.md (${RULES.length} rules)`);
