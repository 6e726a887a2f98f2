/** Every rule shipshape knows, in id order. Each group's index lists its own modules. */
import type { Rule } from "../types.js";
import { APP_RULES } from "./app/index.js";
import { COMPOSE_RULES } from "./compose/index.js";
import { DOCKERFILE_RULES } from "./dockerfile/index.js";
import { SECRETS_RULES } from "./secrets/index.js";

export const RULES: readonly Rule[] = [
  ...DOCKERFILE_RULES,
  ...SECRETS_RULES,
  ...COMPOSE_RULES,
  ...APP_RULES,
].sort((a, b) => a.meta.id.localeCompare(b.meta.id));

export function ruleById(id: string): Rule | undefined {
  return RULES.find((rule) => rule.meta.id === id);
}
