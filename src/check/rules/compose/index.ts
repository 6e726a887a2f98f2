/** The compose rules, in id order. */
import type { Rule } from "../../types.js";

export const COMPOSE_RULES: Rule[] = [];
