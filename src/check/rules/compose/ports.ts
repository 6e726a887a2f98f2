/** Published ports that listen on every interface of the host (SS2002 for services, SS2003 for databases). */
import type { PortFacts } from "../../facts/compose.js";
import type { ProjectFacts } from "../../facts/project.js";
import type { RuleResult } from "../../types.js";
import { nodeAt } from "../helpers.js";
import { bindToLoopback } from "./edits.js";
import { allServices, type ComposeService, effective, isDatabase, siblingServices } from "./support.js";

const ALL_INTERFACES = new Set(["", "0.0.0.0", "::", "[::]"]);

export function onAllInterfaces(port: PortFacts): boolean {
  return port.hostIp === undefined || ALL_INTERFACES.has(port.hostIp.trim());
}

/** How a port reads in a message: `"3000:3000"` as written, or `published:target` for long syntax. */
export function portLabel(port: PortFacts): string {
  if (!port.long) return port.text;
  const target = port.containerPort === undefined ? "?" : String(port.containerPort);
  return port.hostPort === undefined ? target : `${port.hostPort}:${target}`;
}

export function publishedEverywhere(
  facts: ProjectFacts,
  databases: boolean,
): Array<{ entry: ComposeService; port: PortFacts }> {
  const out: Array<{ entry: ComposeService; port: PortFacts }> = [];
  for (const entry of allServices(facts)) {
    // With the host's network stack, `ports:` is ignored (SS2013 reports the larger problem).
    if (effective(facts, entry, "network_mode", (service) => service.networkMode) === "host") continue;
    const database = siblingServices(facts, entry.compose, entry.service.name).some((sibling) =>
      isDatabase(facts, sibling),
    );
    if (database !== databases) continue;
    for (const port of entry.service.ports) if (onAllInterfaces(port)) out.push({ entry, port });
  }
  return out;
}

export function loopbackFix(entry: ComposeService, port: PortFacts): RuleResult["fix"] {
  const edit = bindToLoopback(entry.compose, port);
  return edit ? { description: "Publish the port on 127.0.0.1 only", edits: [edit] } : undefined;
}

export function portLocation(entry: ComposeService, port: PortFacts): RuleResult["location"] {
  return nodeAt(entry.service.file, port.position);
}
