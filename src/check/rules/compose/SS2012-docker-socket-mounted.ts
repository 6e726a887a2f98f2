import type { Rule } from "../../types.js";
import { nodeAt } from "../helpers.js";
import { allServices } from "./support.js";

const SOCKET = /^\/*(?:var\/)?run\/docker\.sock$/;

export const rule: Rule = {
  meta: {
    id: "SS2012",
    name: "docker-socket-mounted",
    title: "Docker socket mounted into a container",
    severity: "error",
    category: "hardening",
    rationale:
      "The Docker socket is the Docker API: a container that can reach it can start a privileged container that mounts the host's root file system, so it is root on the host. Mounting it `:ro` changes nothing.",
    fix: "Remove the mount; if a tool needs the API, put a filtering proxy (such as tecnativa/docker-socket-proxy) in front that allows only the calls it makes.",
    examples: {
      bad: {
        "compose.yaml":
          "services:\n  watcher:\n    image: containrrr/watchtower:1.7.1\n    volumes:\n      - /var/run/docker.sock:/var/run/docker.sock\n",
      },
      good: { "compose.yaml": "services:\n  watcher:\n    image: containrrr/watchtower:1.7.1\n" },
    },
  },
  check(facts) {
    return allServices(facts).flatMap(({ service }) =>
      service.volumes
        .filter((volume) => volume.type === "bind" && SOCKET.test(volume.source?.trim() ?? ""))
        .map((volume) => ({
          location: nodeAt(service.file, volume.position),
          message: `\`${service.name}\` mounts the Docker socket (\`${volume.source}\`): it can start a privileged container, so it is root on the host${/:ro\b/.test(volume.text) ? " (`:ro` does not restrict the API)" : ""}`,
        })),
    );
  },
};
