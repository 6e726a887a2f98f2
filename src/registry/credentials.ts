/**
 * Registry credentials the way the Docker CLI stores them: `$DOCKER_CONFIG/config.json` (or
 * `~/.docker/config.json`) with `auths`, `credHelpers` and `credsStore`. Secrets read here are only
 * ever put into Authorization headers: never into messages, errors or logs.
 */

import { execFile } from "node:child_process";
import { constants } from "node:fs";
import { access, readFile } from "node:fs/promises";
import { homedir } from "node:os";
import { delimiter, join } from "node:path";
import { InputError } from "../errors.js";
import { DOCKER_HUB_AUTH_KEY } from "./reference.js";

export interface Credential {
  username?: string;
  password?: string;
  /** An OAuth refresh token (`identitytoken`, or a helper's `<token>` user). */
  identityToken?: string;
  /** Where it came from, for messages: `auths in /home/me/.docker/config.json`, `docker-credential-pass`. */
  source: string;
}

export interface CredentialLookup {
  credential?: Credential;
  /** Why none was found when one was expected (a missing or failing helper), for hints. */
  note?: string;
}

interface DockerConfigFile {
  auths?: Record<string, { auth?: string; username?: string; password?: string; identitytoken?: string }>;
  credHelpers?: Record<string, string>;
  credsStore?: string;
}

const HELPER_TIMEOUT_MS = 5_000;
const DOCKER_HUB_KEYS = new Set(["docker.io", "index.docker.io", "registry-1.docker.io"]);

export class DockerCredentials {
  readonly configFile: string;
  private readonly env: NodeJS.ProcessEnv;
  private loaded: Promise<DockerConfigFile> | undefined;
  private readonly cache = new Map<string, Promise<CredentialLookup>>();

  constructor(options: { configDir?: string; env?: NodeJS.ProcessEnv } = {}) {
    this.env = options.env ?? process.env;
    const dir = options.configDir ?? (this.env.DOCKER_CONFIG || join(homedir(), ".docker"));
    this.configFile = join(dir, "config.json");
  }

  /**
   * Credentials for a registry host (`ghcr.io`, `localhost:5000`); `dockerHub` selects Docker Hub's
   * key (`https://index.docker.io/v1/`). Order: `credHelpers`, then `auths`, then `credsStore`.
   */
  lookup(host: string, dockerHub = false): Promise<CredentialLookup> {
    const key = dockerHub ? DOCKER_HUB_AUTH_KEY : host.toLowerCase();
    let found = this.cache.get(key);
    if (!found) {
      found = this.find(key, dockerHub);
      this.cache.set(key, found);
    }
    return found;
  }

  private async find(key: string, dockerHub: boolean): Promise<CredentialLookup> {
    const config = await this.load();
    const matches = (entry: string): boolean => {
      const host = hostOfKey(entry);
      return dockerHub ? DOCKER_HUB_KEYS.has(host) : host === key;
    };

    const helperKey = Object.keys(config.credHelpers ?? {}).find(matches);
    if (helperKey !== undefined) {
      const helper = config.credHelpers?.[helperKey];
      if (helper) return this.fromHelper(helper, dockerHub ? DOCKER_HUB_AUTH_KEY : key);
    }

    for (const [entry, auth] of Object.entries(config.auths ?? {})) {
      if (!matches(entry) || typeof auth !== "object" || auth === null) continue;
      const source = `auths in ${this.configFile}`;
      if (typeof auth.identitytoken === "string" && auth.identitytoken !== "") {
        return { credential: { identityToken: auth.identitytoken, source } };
      }
      if (typeof auth.auth === "string" && auth.auth !== "") {
        const decoded = Buffer.from(auth.auth, "base64").toString("utf8");
        const colon = decoded.indexOf(":");
        if (colon > 0) {
          return {
            credential: { username: decoded.slice(0, colon), password: decoded.slice(colon + 1), source },
          };
        }
        return { note: `the "auth" for ${entry} in ${this.configFile} is not base64 of user:password` };
      }
      if (typeof auth.username === "string" && typeof auth.password === "string") {
        return { credential: { username: auth.username, password: auth.password, source } };
      }
      // An empty entry means the secret lives in credsStore: fall through to it.
    }

    if (config.credsStore) return this.fromHelper(config.credsStore, dockerHub ? DOCKER_HUB_AUTH_KEY : key);
    return {};
  }

  private load(): Promise<DockerConfigFile> {
    this.loaded ??= (async () => {
      let text: string;
      try {
        text = await readFile(this.configFile, "utf8");
      } catch {
        return {};
      }
      try {
        const parsed: unknown = JSON.parse(text);
        return typeof parsed === "object" && parsed !== null ? (parsed as DockerConfigFile) : {};
      } catch {
        // JSON.parse's message can quote the file's text, which may hold secrets: not passed on.
        throw new InputError(
          this.configFile,
          undefined,
          "is not valid JSON",
          "fix it or run `docker login` again",
        );
      }
    })();
    return this.loaded;
  }

  /** Runs `docker-credential-<name> get` with the server URL on stdin, as the Docker CLI does. */
  private async fromHelper(name: string, serverUrl: string): Promise<CredentialLookup> {
    const binary = `docker-credential-${name}`;
    if (!/^[A-Za-z0-9._-]+$/.test(name)) return { note: `"${name}" is not a credential helper name` };
    const path = await findOnPath(binary, this.env.PATH ?? "");
    if (!path) return { note: `${binary} (configured in ${this.configFile}) is not on PATH` };
    const output = await new Promise<string | undefined>((resolve) => {
      const child = execFile(
        path,
        ["get"],
        { timeout: HELPER_TIMEOUT_MS, env: this.env, maxBuffer: 1024 * 1024 },
        (error, stdout) => resolve(error ? undefined : stdout),
      );
      child.stdin?.on("error", () => {});
      child.stdin?.end(serverUrl);
    });
    // A helper that fails usually means "no credentials for this server"; its output is not quoted.
    if (output === undefined) return { note: `${binary} found no credentials for ${serverUrl}` };
    try {
      const parsed = JSON.parse(output) as { Username?: unknown; Secret?: unknown };
      if (typeof parsed.Secret !== "string" || parsed.Secret === "")
        return { note: `${binary} returned no secret` };
      if (parsed.Username === "<token>")
        return { credential: { identityToken: parsed.Secret, source: binary } };
      if (typeof parsed.Username !== "string") return { note: `${binary} returned no username` };
      return { credential: { username: parsed.Username, password: parsed.Secret, source: binary } };
    } catch {
      return { note: `${binary} did not print JSON` };
    }
  }
}

/** `https://index.docker.io/v1/` → `index.docker.io`; `ghcr.io` → `ghcr.io` (as the CLI's ConvertToHostname). */
function hostOfKey(key: string): string {
  return key
    .replace(/^[a-z]+:\/\//i, "")
    .split("/")[0]!
    .toLowerCase();
}

async function findOnPath(binary: string, pathVariable: string): Promise<string | undefined> {
  for (const dir of pathVariable.split(delimiter)) {
    if (dir === "") continue;
    const candidate = join(dir, binary);
    try {
      await access(candidate, constants.X_OK);
      return candidate;
    } catch {
      // not in this directory
    }
  }
  return undefined;
}
