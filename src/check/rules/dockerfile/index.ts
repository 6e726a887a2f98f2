/** The Dockerfile rules (reproducibility and hardening), in id order. */
import type { Rule } from "../../types.js";
import { rule as SS1001 } from "./SS1001-image-tag-floating.js";

export const DOCKERFILE_RULES: Rule[] = [SS1001];
