/** The app rules, in id order. */
import type { Rule } from "../../types.js";

export const APP_RULES: Rule[] = [];
