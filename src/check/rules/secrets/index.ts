/** The secrets rules, in id order. */
import type { Rule } from "../../types.js";
import { rule as SS1101 } from "./SS1101-secret-in-instruction.js";
import { rule as SS1102 } from "./SS1102-secret-build-arg.js";
import { rule as SS1103 } from "./SS1103-secret-written-by-run.js";
import { rule as SS1104 } from "./SS1104-secret-file-in-image.js";
import { rule as SS1105 } from "./SS1105-dockerignore-missing.js";
import { rule as SS1106 } from "./SS1106-dockerignore-gaps.js";
import { rule as SS1107 } from "./SS1107-env-file-committed.js";
import { rule as SS1108 } from "./SS1108-tls-verification-disabled.js";
import { rule as SS1109 } from "./SS1109-compose-literal-secret.js";
import { rule as SS1110 } from "./SS1110-hardcoded-secret-fallback.js";
import { rule as SS1111 } from "./SS1111-secret-in-source.js";

export const SECRETS_RULES: Rule[] = [
  SS1101,
  SS1102,
  SS1103,
  SS1104,
  SS1105,
  SS1106,
  SS1107,
  SS1108,
  SS1109,
  SS1110,
  SS1111,
];
