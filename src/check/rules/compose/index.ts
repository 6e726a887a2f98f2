/** The compose rules, in id order. */
import type { Rule } from "../../types.js";
import { rule as SS2001 } from "./SS2001-compose-version-obsolete.js";
import { rule as SS2002 } from "./SS2002-port-on-all-interfaces.js";
import { rule as SS2003 } from "./SS2003-database-published.js";
import { rule as SS2004 } from "./SS2004-depends-on-without-condition.js";
import { rule as SS2005 } from "./SS2005-service-without-healthcheck.js";
import { rule as SS2006 } from "./SS2006-writable-root-filesystem.js";
import { rule as SS2007 } from "./SS2007-capabilities-not-dropped.js";
import { rule as SS2008 } from "./SS2008-no-new-privileges-missing.js";
import { rule as SS2009 } from "./SS2009-no-resource-limits.js";
import { rule as SS2010 } from "./SS2010-database-on-shared-network.js";
import { rule as SS2011 } from "./SS2011-privileged-container.js";
import { rule as SS2012 } from "./SS2012-docker-socket-mounted.js";
import { rule as SS2013 } from "./SS2013-host-network-mode.js";
import { rule as SS2014 } from "./SS2014-host-node-modules-mounted.js";
import { rule as SS2015 } from "./SS2015-init-missing.js";

export const COMPOSE_RULES: Rule[] = [
  SS2001,
  SS2002,
  SS2003,
  SS2004,
  SS2005,
  SS2006,
  SS2007,
  SS2008,
  SS2009,
  SS2010,
  SS2011,
  SS2012,
  SS2013,
  SS2014,
  SS2015,
];
