/** The Dockerfile rules (reproducibility and hardening), in id order. */
import type { Rule } from "../../types.js";
import { rule as SS1001 } from "./SS1001-image-tag-floating.js";
import { rule as SS1002 } from "./SS1002-image-tag-imprecise.js";
import { rule as SS1003 } from "./SS1003-image-variant-unnamed.js";
import { rule as SS1004 } from "./SS1004-image-not-digest-pinned.js";
import { rule as SS1005 } from "./SS1005-syntax-directive-floating.js";
import { rule as SS1006 } from "./SS1006-js-install-not-frozen.js";
import { rule as SS1007 } from "./SS1007-lockfile-not-in-stage.js";
import { rule as SS1008 } from "./SS1008-dependencies-after-source.js";
import { rule as SS1009 } from "./SS1009-python-install-unpinned.js";
import { rule as SS1010 } from "./SS1010-pip-cache-kept.js";
import { rule as SS1011 } from "./SS1011-pipe-to-shell.js";
import { rule as SS1012 } from "./SS1012-apt-no-install-recommends.js";
import { rule as SS1013 } from "./SS1013-apt-lists-kept.js";
import { rule as SS1014 } from "./SS1014-apt-package-unpinned.js";
import { rule as SS1015 } from "./SS1015-apk-cache-kept.js";
import { rule as SS1016 } from "./SS1016-add-instead-of-copy.js";
import { rule as SS1017 } from "./SS1017-install-from-moving-source.js";
import { rule as SS1018 } from "./SS1018-image-from-untrusted-registry.js";
import { rule as SS1201 } from "./SS1201-runs-as-root.js";
import { rule as SS1202 } from "./SS1202-no-healthcheck.js";
import { rule as SS1203 } from "./SS1203-package-manager-as-pid1.js";
import { rule as SS1204 } from "./SS1204-shell-form-cmd.js";
import { rule as SS1205 } from "./SS1205-no-init-process.js";
import { rule as SS1206 } from "./SS1206-build-tools-in-runtime.js";
import { rule as SS1207 } from "./SS1207-build-in-runtime-stage.js";
import { rule as SS1208 } from "./SS1208-dev-dependencies-shipped.js";
import { rule as SS1209 } from "./SS1209-node-env-not-production.js";
import { rule as SS1210 } from "./SS1210-sudo-in-run.js";
import { rule as SS1211 } from "./SS1211-world-writable.js";
import { rule as SS1212 } from "./SS1212-repeated-cmd-entrypoint.js";
import { rule as SS1213 } from "./SS1213-healthcheck-tool-missing.js";

export const DOCKERFILE_RULES: Rule[] = [
  SS1001,
  SS1002,
  SS1003,
  SS1004,
  SS1005,
  SS1006,
  SS1007,
  SS1008,
  SS1009,
  SS1010,
  SS1011,
  SS1012,
  SS1013,
  SS1014,
  SS1015,
  SS1016,
  SS1017,
  SS1018,
  SS1201,
  SS1202,
  SS1203,
  SS1204,
  SS1205,
  SS1206,
  SS1207,
  SS1208,
  SS1209,
  SS1210,
  SS1211,
  SS1212,
  SS1213,
];
