/** The secrets rules, in id order. */
import type { Rule } from "../../types.js";

export const SECRETS_RULES: Rule[] = [];
