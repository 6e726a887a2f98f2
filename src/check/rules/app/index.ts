/** The app rules, in id order: they connect the app's code and manifests to its Dockerfile, context and compose file. */
import type { Rule } from "../../types.js";
import { rule as SS3001 } from "./SS3001-listens-on-localhost.js";
import { rule as SS3002 } from "./SS3002-no-sigterm-handler.js";
import { rule as SS3003 } from "./SS3003-dev-server-in-image.js";
import { rule as SS3004 } from "./SS3004-build-tool-not-installed.js";
import { rule as SS3005 } from "./SS3005-start-file-missing.js";
import { rule as SS3006 } from "./SS3006-copy-source-missing.js";
import { rule as SS3007 } from "./SS3007-env-undeclared.js";
import { rule as SS3008 } from "./SS3008-env-example-missing.js";
import { rule as SS3009 } from "./SS3009-env-unchecked.js";
import { rule as SS3010 } from "./SS3010-build-time-variable-as-runtime.js";
import { rule as SS3011 } from "./SS3011-port-mismatch.js";
import { rule as SS3012 } from "./SS3012-database-url-localhost.js";
import { rule as SS3013 } from "./SS3013-health-check-without-dependencies.js";
import { rule as SS3014 } from "./SS3014-schema-at-startup.js";

export const APP_RULES: Rule[] = [
  SS3001,
  SS3002,
  SS3003,
  SS3004,
  SS3005,
  SS3006,
  SS3007,
  SS3008,
  SS3009,
  SS3010,
  SS3011,
  SS3012,
  SS3013,
  SS3014,
];
