/**
 * A small client for the OCI distribution API: resolves `name:tag` to the digest the registry
 * serves for it, with Docker's naming, auth challenges, credentials, mirrors, timeouts and retries.
 */

import { createHash } from "node:crypto";
import { UsageError } from "../errors.js";
import { type Credential, DockerCredentials } from "./credentials.js";
import { RegistryError, type RegistryErrorKind } from "./errors.js";
import { DOCKER_HUB_API_HOST, type ImageReference, parseReference } from "./reference.js";

export const MEDIA_TYPES = {
  ociIndex: "application/vnd.oci.image.index.v1+json",
  ociManifest: "application/vnd.oci.image.manifest.v1+json",
  dockerManifestList: "application/vnd.docker.distribution.manifest.list.v2+json",
  dockerManifest: "application/vnd.docker.distribution.manifest.v2+json",
} as const;
const INDEX_TYPES = new Set<string>([MEDIA_TYPES.ociIndex, MEDIA_TYPES.dockerManifestList]);
const MANIFEST_TYPES = new Set<string>([...INDEX_TYPES, MEDIA_TYPES.ociManifest, MEDIA_TYPES.dockerManifest]);
const ACCEPT = [
  MEDIA_TYPES.ociIndex,
  MEDIA_TYPES.dockerManifestList,
  MEDIA_TYPES.ociManifest,
  MEDIA_TYPES.dockerManifest,
].join(", ");

/** Manifests are a few KiB; anything this large is not one. */
const MAX_MANIFEST_BYTES = 4 * 1024 * 1024;

export interface RegistryClientOptions {
  /**
   * Mirrors for Docker Hub images (the engine's `registry-mirrors`). SHIPSHAPE_REGISTRY_MIRROR,
   * when set (even to ""), replaces them.
   */
  mirrors?: readonly string[];
  /** Registries (host[:port]) spoken to over plain http, besides loopback and SHIPSHAPE_INSECURE_REGISTRIES. */
  insecureRegistries?: readonly string[];
  /** Per request; default 10 s. */
  timeoutMs?: number;
  /** For one `resolve` call, retries and mirrors included; default 60 s. */
  deadlineMs?: number;
  /** Attempts per request on 429/5xx and dropped connections; default 3. */
  maxAttempts?: number;
  /** First backoff delay (doubled per retry, with jitter); default 500 ms. */
  backoffMs?: number;
  /** Where config.json is; default $DOCKER_CONFIG or ~/.docker. */
  dockerConfigDir?: string;
  env?: NodeJS.ProcessEnv;
  userAgent?: string;
  /** Docker Hub's API base URL; default https://registry-1.docker.io (tests point it elsewhere). */
  dockerHubUrl?: string;
}

export interface PlatformManifest {
  /** `linux/arm64/v8` */
  platform: string;
  digest: string;
  mediaType: string;
}

export interface ResolvedImage {
  /** The image as written. */
  image: string;
  /** The registry as Docker names it: `docker.io`, `ghcr.io`, `localhost:5000`. */
  registry: string;
  /** `library/node` */
  repository: string;
  tag?: string;
  /** Digest of what the tag points to: the index for a multi-platform image. */
  digest: string;
  mediaType: string;
  isIndex: boolean;
  /** The index's entries (attestations left out), when the index was fetched. */
  platforms?: PlatformManifest[];
  /** The entry for the requested platform. */
  platform?: PlatformManifest;
  /** Base URL that answered: a mirror or the registry's API host. */
  source: string;
  /** Mirrors that were tried first and failed, with what happened. */
  mirrorFailures?: string[];
}

export interface ResolveOptions {
  /** `linux/amd64`, `linux/arm64/v8`: also pick that platform's manifest from an index. */
  platform?: string;
  signal?: AbortSignal;
}

export interface TagsOptions {
  /** Stop listing after this many tags (default 10,000). */
  maxTags?: number;
  signal?: AbortSignal;
}

export interface TagList {
  /** The registry as Docker names it. */
  registry: string;
  repository: string;
  tags: string[];
  /** More tags exist than were listed. */
  truncated: boolean;
  /** Base URL that answered: a mirror or the registry's API host. */
  source: string;
}

interface Endpoint {
  /** `https://registry-1.docker.io`, `http://127.0.0.1:5000` */
  base: string;
  /** For messages: `docker.io`, or the mirror's URL. */
  label: string;
  /** Whose credentials apply. */
  credentialHost: string;
  dockerHub: boolean;
  mirror: boolean;
}

/** One resolve call: what every request needs to report and to stop in time. */
interface Call {
  reference: ImageReference;
  endpoint: Endpoint;
  deadline: number;
  signal: AbortSignal | undefined;
}

interface Challenge {
  scheme: string;
  params: Record<string, string>;
}

export class RegistryClient {
  readonly mirrors: readonly string[];
  private readonly insecure: Set<string>;
  private readonly timeoutMs: number;
  private readonly deadlineMs: number;
  private readonly maxAttempts: number;
  private readonly backoffMs: number;
  private readonly userAgent: string;
  private readonly dockerHubUrl: string;
  private readonly credentials: DockerCredentials;
  /** Authorization headers earned by a challenge, per endpoint and repository. */
  private readonly authorizations = new Map<string, { header: string; expires: number }>();

  constructor(options: RegistryClientOptions = {}) {
    const env = options.env ?? process.env;
    const fromEnv = env.SHIPSHAPE_REGISTRY_MIRROR;
    const insecure = [...(options.insecureRegistries ?? []), ...splitList(env.SHIPSHAPE_INSECURE_REGISTRIES)];
    this.insecure = new Set(insecure.map((host) => host.toLowerCase()));
    const mirrors = fromEnv === undefined ? (options.mirrors ?? []) : splitList(fromEnv);
    this.mirrors = mirrors.map((mirror) => this.mirrorBase(mirror, fromEnv !== undefined));
    this.timeoutMs = options.timeoutMs ?? 10_000;
    this.deadlineMs = options.deadlineMs ?? 60_000;
    this.maxAttempts = Math.max(1, options.maxAttempts ?? 3);
    this.backoffMs = options.backoffMs ?? 500;
    this.userAgent = options.userAgent ?? "shipshape";
    this.dockerHubUrl = (options.dockerHubUrl ?? `https://${DOCKER_HUB_API_HOST}`).replace(/\/+$/, "");
    this.credentials = new DockerCredentials({
      env,
      ...(options.dockerConfigDir === undefined ? {} : { configDir: options.dockerConfigDir }),
    });
  }

  /**
   * Resolves a reference to the digest its registry serves. Docker Hub images go to the mirrors
   * first, then to Docker Hub when every mirror fails (as the engine does).
   */
  async resolve(image: string | ImageReference, options: ResolveOptions = {}): Promise<ResolvedImage> {
    const reference = typeof image === "string" ? parseReference(image) : image;
    const wanted = options.platform === undefined ? undefined : parsePlatform(options.platform);
    const resolved = await this.firstAnswer(reference, options.signal, (call) =>
      this.resolveAt(call, wanted),
    );
    return resolved.failures.length > 0
      ? { ...resolved.value, mirrorFailures: resolved.failures }
      : resolved.value;
  }

  /**
   * The repository's tags (`/v2/<name>/tags/list`, following the `Link` pages), from the first
   * endpoint that answers: for Docker Hub images the mirrors first, as `resolve` does. Stops at
   * `maxTags` (default 10,000) and says so with `truncated`.
   */
  async tags(image: string | ImageReference, options: TagsOptions = {}): Promise<TagList> {
    const reference = typeof image === "string" ? parseReference(image) : image;
    const answer = await this.firstAnswer(reference, options.signal, (call) =>
      this.tagsAt(call, options.maxTags ?? 10_000),
    );
    return answer.value;
  }

  /**
   * Asks each endpoint in turn (for Docker Hub images the mirrors, then Docker Hub) until one
   * answers; a registry error at the last one is thrown with what the mirrors said before it.
   */
  private async firstAnswer<T>(
    reference: ImageReference,
    signal: AbortSignal | undefined,
    ask: (call: Call) => Promise<T>,
  ): Promise<{ value: T; failures: string[] }> {
    const deadline = Date.now() + this.deadlineMs;
    const failures: string[] = [];
    const endpoints = this.endpoints(reference);
    for (const [index, endpoint] of endpoints.entries()) {
      try {
        return { value: await ask({ reference, endpoint, deadline, signal }), failures };
      } catch (error) {
        const last = index === endpoints.length - 1;
        if (!(error instanceof RegistryError) || last || signal?.aborted) {
          if (error instanceof RegistryError && failures.length > 0)
            throw withMirrorFailures(error, failures);
          throw error;
        }
        failures.push(`mirror ${endpoint.label}: ${error.what}`);
      }
    }
    throw new Error("unreachable: no endpoint");
  }

  private async tagsAt(call: Call, maxTags: number): Promise<TagList> {
    const { reference, endpoint } = call;
    const tags: string[] = [];
    let path: string | undefined = `/v2/${reference.repository}/tags/list?n=1000`;
    let truncated = false;
    for (let page = 0; path !== undefined; page++) {
      if (page >= 100 || tags.length >= maxTags) {
        truncated = true;
        break;
      }
      const response = await this.request(call, "GET", path, "application/json");
      if (!response.ok) {
        throw await this.failure(
          call,
          response,
          "it",
          response.status === 404 ? "no such repository" : undefined,
        );
      }
      const body = await readLimited(response, MAX_MANIFEST_BYTES, () =>
        this.protocolError(call, "its tag list is too large"),
      );
      let parsed: { tags?: unknown };
      try {
        parsed = JSON.parse(body.toString("utf8")) as { tags?: unknown };
      } catch {
        throw this.protocolError(call, "its tag list is not valid JSON");
      }
      // A repository without tags lists `null`.
      if (parsed.tags !== null && parsed.tags !== undefined && !Array.isArray(parsed.tags)) {
        throw this.protocolError(call, "its tag list has no tags array");
      }
      for (const tag of (parsed.tags as unknown[] | null | undefined) ?? [])
        if (typeof tag === "string") tags.push(tag);
      path = nextPage(response.headers.get("link"), endpoint.base);
    }
    return {
      registry: reference.domain,
      repository: reference.repository,
      tags: tags.slice(0, maxTags),
      truncated: truncated || tags.length > maxTags,
      source: endpoint.base,
    };
  }

  private async resolveAt(call: Call, wanted: WantedPlatform | undefined): Promise<ResolvedImage> {
    const { reference, endpoint } = call;
    const target = reference.digest ?? reference.tag ?? "latest";
    const path = `/v2/${reference.repository}/manifests/${target}`;
    const result = (digest: string, mediaType: string): ResolvedImage => {
      const resolved: ResolvedImage = {
        image: reference.text,
        registry: reference.domain,
        repository: reference.repository,
        digest,
        mediaType,
        isIndex: INDEX_TYPES.has(mediaType),
        source: endpoint.base,
      };
      if (reference.tag !== undefined) resolved.tag = reference.tag;
      return resolved;
    };

    const head = await this.request(call, "HEAD", path);
    await discard(head);
    const headDigest = head.headers.get("docker-content-digest") ?? undefined;
    const headType = mediaTypeOf(head.headers.get("content-type"));
    let resolved: ResolvedImage | undefined;
    let body: Buffer | undefined;
    if (head.ok && headDigest && MANIFEST_TYPES.has(headType)) {
      resolved = result(headDigest, headType);
    } else {
      if (head.status === 401 || head.status === 403 || head.status === 429 || head.status >= 500) {
        throw await this.failure(call, head);
      }
      // No digest (or no body to explain an error): GET tells.
      const manifest = await this.getManifest(call, path, reference.digest);
      resolved = result(manifest.digest, manifest.mediaType);
      body = manifest.body;
    }

    if (resolved.isIndex && (wanted !== undefined || body !== undefined)) {
      if (body === undefined) {
        // By digest, so the entries are those of the index just resolved even if the tag moves.
        body = (
          await this.getManifest(
            call,
            `/v2/${reference.repository}/manifests/${resolved.digest}`,
            resolved.digest,
          )
        ).body;
      }
      resolved.platforms = indexEntries(body, () => this.protocolError(call, "the index is not valid JSON"));
      if (wanted !== undefined) {
        const match = matchPlatform(resolved.platforms, wanted);
        if (!match) {
          const available = resolved.platforms.map((entry) => entry.platform).join(", ") || "none";
          throw new RegistryError("not-found", {
            image: reference.text,
            registry: endpoint.label,
            what: `no ${wanted.text} image in its index (it has ${available})`,
          });
        }
        resolved.platform = match;
      }
    } else if (!resolved.isIndex && wanted !== undefined) {
      // A single-platform image: its config says which platform it is for.
      body ??= (
        await this.getManifest(
          call,
          `/v2/${reference.repository}/manifests/${resolved.digest}`,
          resolved.digest,
        )
      ).body;
      const own = await this.singlePlatform(call, body, resolved);
      resolved.platforms = [own];
      if (!matchPlatform([own], wanted)) {
        throw new RegistryError("not-found", {
          image: reference.text,
          registry: endpoint.label,
          what: `no ${wanted.text} image: it is a single-platform image for ${own.platform}`,
        });
      }
      resolved.platform = own;
    }
    return resolved;
  }

  /** The platform a single manifest is for, read from its config blob. */
  private async singlePlatform(
    call: Call,
    manifest: Buffer,
    resolved: ResolvedImage,
  ): Promise<PlatformManifest> {
    const invalid = (what: string): RegistryError => this.protocolError(call, what);
    let configDigest: unknown;
    try {
      configDigest = (JSON.parse(manifest.toString("utf8")) as { config?: { digest?: unknown } }).config
        ?.digest;
    } catch {
      throw invalid("the manifest is not valid JSON");
    }
    if (typeof configDigest !== "string" || !/^[a-z0-9]+:[a-f0-9]+$/.test(configDigest)) {
      throw invalid("the manifest names no config");
    }
    const response = await this.request(
      call,
      "GET",
      `/v2/${call.reference.repository}/blobs/${configDigest}`,
    );
    if (!response.ok)
      throw await this.failure(call, response, "it", `its config blob ${configDigest} is missing`);
    const body = await readLimited(response, MAX_MANIFEST_BYTES, () =>
      invalid("the image config is too large"),
    );
    let config: { os?: unknown; architecture?: unknown; variant?: unknown };
    try {
      config = JSON.parse(body.toString("utf8"));
    } catch {
      throw invalid("the image config is not valid JSON");
    }
    if (typeof config.os !== "string" || typeof config.architecture !== "string") {
      throw invalid("the image config names no platform");
    }
    const variant = typeof config.variant === "string" && config.variant !== "" ? `/${config.variant}` : "";
    return {
      platform: `${config.os}/${config.architecture}${variant}`,
      digest: resolved.digest,
      mediaType: resolved.mediaType,
    };
  }

  private async getManifest(
    call: Call,
    path: string,
    expectedDigest: string | undefined,
  ): Promise<{ digest: string; mediaType: string; body: Buffer }> {
    const response = await this.request(call, "GET", path);
    if (!response.ok) throw await this.failure(call, response);
    const body = await readLimited(response, MAX_MANIFEST_BYTES, () =>
      this.protocolError(call, `the manifest is larger than ${MAX_MANIFEST_BYTES} bytes`),
    );
    const computed = `sha256:${createHash("sha256").update(body).digest("hex")}`;
    const header = response.headers.get("docker-content-digest") ?? undefined;
    const claimed = expectedDigest ?? header;
    // Only sha256 can be checked here; other algorithms are taken as the registry states them.
    if (claimed?.startsWith("sha256:") && claimed !== computed) {
      throw this.protocolError(call, `the manifest's content does not match its digest ${claimed}`);
    }
    let mediaType = mediaTypeOf(response.headers.get("content-type"));
    if (!MANIFEST_TYPES.has(mediaType)) {
      try {
        const parsed = JSON.parse(body.toString("utf8")) as { mediaType?: unknown };
        if (typeof parsed.mediaType === "string") mediaType = parsed.mediaType;
      } catch {
        // reported below
      }
    }
    if (!MANIFEST_TYPES.has(mediaType)) {
      throw this.protocolError(
        call,
        `it served ${mediaType || "no media type"}, not an image manifest or index`,
      );
    }
    return { digest: claimed ?? computed, mediaType, body };
  }

  /** One registry request: retries, then the auth challenge when the registry asks for one. */
  private async request(
    call: Call,
    method: "HEAD" | "GET",
    path: string,
    accept = ACCEPT,
  ): Promise<Response> {
    const url = `${call.endpoint.base}${path}`;
    const key = `${call.endpoint.base} ${call.reference.repository}`;
    const cached = this.authorizations.get(key);
    const headers: Record<string, string> = { Accept: accept, "User-Agent": this.userAgent };
    if (cached && cached.expires > Date.now()) headers.Authorization = cached.header;
    const response = await this.send(call, url, { method, headers });
    if (response.status !== 401) return response;

    await discard(response);
    const challenge = parseChallenge(response.headers.get("www-authenticate"));
    if (!challenge) {
      throw this.error(call, "unauthorized", "it answered 401 without saying how to authenticate", 401);
    }
    const { credential, note } = await this.credentials.lookup(
      call.endpoint.credentialHost,
      call.endpoint.dockerHub,
    );
    const authorization = await this.authorize(call, challenge, credential, note);
    this.authorizations.set(key, authorization);
    const retried = await this.send(call, url, {
      method,
      headers: { ...headers, Authorization: authorization.header },
    });
    if (retried.status === 401 || retried.status === 403) {
      await discard(retried);
      throw this.unauthorized(call, credential, note, retried.status);
    }
    return retried;
  }

  private async authorize(
    call: Call,
    challenge: Challenge,
    credential: Credential | undefined,
    note: string | undefined,
  ): Promise<{ header: string; expires: number }> {
    const scheme = challenge.scheme.toLowerCase();
    if (scheme === "basic") {
      if (credential?.username === undefined || credential.password === undefined) {
        throw this.unauthorized(call, undefined, note, 401);
      }
      return { header: basicAuthorization(credential), expires: Number.POSITIVE_INFINITY };
    }
    if (scheme !== "bearer") {
      throw this.error(
        call,
        "unauthorized",
        `it asks for ${challenge.scheme} authentication, which is not supported`,
        401,
      );
    }
    const realm = challenge.params.realm;
    let realmUrl: URL;
    try {
      realmUrl = new URL(realm ?? "");
    } catch {
      throw this.protocolError(call, "its bearer challenge has no valid realm");
    }
    const scopes = (challenge.params.scope ?? `repository:${call.reference.repository}:pull`).split(" ");
    // Credentials go to a token service over https only (or to a registry trusted with plain http).
    const canSend = realmUrl.protocol === "https:" || this.plainHttpAllowed(realmUrl.host);
    const usable = canSend ? credential : undefined;

    let response: Response;
    if (usable?.identityToken !== undefined) {
      const form = new URLSearchParams({
        grant_type: "refresh_token",
        refresh_token: usable.identityToken,
        client_id: this.userAgent,
      });
      if (challenge.params.service) form.set("service", challenge.params.service);
      form.set("scope", scopes.join(" "));
      response = await this.send(call, realmUrl.href, {
        method: "POST",
        headers: { "Content-Type": "application/x-www-form-urlencoded", "User-Agent": this.userAgent },
        body: form.toString(),
      });
    } else {
      if (challenge.params.service) realmUrl.searchParams.set("service", challenge.params.service);
      for (const scope of scopes) realmUrl.searchParams.append("scope", scope);
      const headers: Record<string, string> = { "User-Agent": this.userAgent };
      if (usable?.username !== undefined && usable.password !== undefined) {
        headers.Authorization = basicAuthorization(usable);
      }
      response = await this.send(call, realmUrl.href, { method: "GET", headers });
    }
    if (response.status === 401 || response.status === 403) {
      await discard(response);
      throw this.unauthorized(call, usable, note, response.status, "its token service");
    }
    if (!response.ok) throw await this.failure(call, response, "its token service");
    let token: unknown;
    let expiresIn: unknown;
    try {
      const parsed = (await response.json()) as {
        token?: unknown;
        access_token?: unknown;
        expires_in?: unknown;
      };
      token = parsed.token ?? parsed.access_token;
      expiresIn = parsed.expires_in;
    } catch {
      throw this.protocolError(call, "its token service did not answer with JSON");
    }
    if (typeof token !== "string" || token === "") {
      throw this.protocolError(call, "its token service answered without a token");
    }
    const seconds = typeof expiresIn === "number" && expiresIn > 0 ? expiresIn : 60;
    // Renewed a little early so a request never goes out with a token about to expire.
    return { header: `Bearer ${token}`, expires: Date.now() + Math.max(seconds - 10, 1) * 1000 };
  }

  /**
   * fetch with a per-request timeout and the call's deadline, retrying 429 (after Retry-After),
   * 5xx and dropped connections with exponential backoff and jitter.
   */
  private async send(call: Call, url: string, init: RequestInit): Promise<Response> {
    for (let attempt = 1; ; attempt++) {
      const remaining = call.deadline - Date.now();
      if (remaining <= 0) throw this.deadlineError(call);
      const timeout = Math.min(this.timeoutMs, remaining);
      const signals = [AbortSignal.timeout(timeout)];
      if (call.signal) signals.push(call.signal);
      let response: Response;
      try {
        response = await fetch(url, { ...init, redirect: "follow", signal: AbortSignal.any(signals) });
      } catch (error) {
        const failure = describeNetworkError(error, timeout);
        if (call.signal?.aborted)
          throw this.error(call, "unreachable", "the request was cancelled", undefined, error);
        // No retry left, or no time left to wait for one: unreachable, with what the network said.
        if (!failure.retry || attempt >= this.maxAttempts || !(await this.backoff(call, attempt, undefined)))
          throw this.error(
            call,
            "unreachable",
            failure.what,
            undefined,
            error,
            failure.hint ?? this.unreachableHint(call),
          );
        continue;
      }
      const retryable = response.status === 429 || response.status >= 500;
      if (!retryable || attempt >= this.maxAttempts) return response;
      const retryAfter = parseRetryAfter(response.headers.get("retry-after"));
      await discard(response);
      if (!(await this.backoff(call, attempt, retryAfter))) return response;
    }
  }

  /** Waits before the next attempt; false when that wait would pass the deadline. */
  private async backoff(call: Call, attempt: number, retryAfterMs: number | undefined): Promise<boolean> {
    const exponential = this.backoffMs * 2 ** (attempt - 1);
    const delay = retryAfterMs ?? exponential / 2 + Math.random() * (exponential / 2);
    if (Date.now() + delay >= call.deadline) return false;
    await new Promise<void>((resolve) => {
      const timer = setTimeout(resolve, delay);
      call.signal?.addEventListener(
        "abort",
        () => {
          clearTimeout(timer);
          resolve();
        },
        { once: true },
      );
    });
    return !call.signal?.aborted;
  }

  /** The error for a response that is not a success (after retries). */
  private async failure(
    call: Call,
    response: Response,
    who = "it",
    missing?: string,
  ): Promise<RegistryError> {
    const status = response.status;
    const detail = await errorDetail(response);
    const statusText = `${status}${detail ? ` ${detail}` : ""}`;
    if (status === 404) {
      const repositoryMissing = /NAME_UNKNOWN/.test(detail);
      return this.error(
        call,
        "not-found",
        `${missing ?? (repositoryMissing ? "no such repository" : `no such ${call.reference.digest ? "digest" : "tag"}`)} (${statusText})`,
        status,
        undefined,
        call.reference.dockerHub && !call.reference.repository.startsWith("library/")
          ? "check the name and tag; Docker Hub names are owner/name, official images just name"
          : "check the name and tag",
      );
    }
    if (status === 401 || status === 403) {
      const { credential, note } = await this.credentials.lookup(
        call.endpoint.credentialHost,
        call.endpoint.dockerHub,
      );
      return this.unauthorized(call, credential, note, status);
    }
    if (status === 429) {
      const retryAfter = parseRetryAfter(response.headers.get("retry-after"));
      return this.error(
        call,
        "rate-limited",
        `${who === "it" ? "" : `${who} `}rate-limited the request (${statusText})${
          retryAfter === undefined ? "" : `; it asks to retry after ${Math.ceil(retryAfter / 1000)} s`
        }`,
        status,
        undefined,
        call.reference.dockerHub
          ? "`docker login` raises Docker Hub's pull limit; or set SHIPSHAPE_REGISTRY_MIRROR to a mirror"
          : "wait and try again",
      );
    }
    if (status >= 500) {
      return this.error(
        call,
        "unreachable",
        `${who} answered ${statusText} ${this.maxAttempts > 1 ? `${this.maxAttempts} times` : ""}`.trimEnd(),
        status,
        undefined,
        "the registry is failing; try again later",
      );
    }
    return this.protocolError(call, `${who} answered ${statusText}`, status);
  }

  private unauthorized(
    call: Call,
    credential: Credential | undefined,
    note: string | undefined,
    status: number,
    who = "it",
  ): RegistryError {
    const login = call.endpoint.mirror
      ? `docker login ${new URL(call.endpoint.base).host}`
      : call.reference.dockerHub
        ? "docker login"
        : `docker login ${call.reference.domain}`;
    const what = credential
      ? `${who} refused the credentials from ${credential.source} (${status})`
      : `${who} requires credentials and none were found for ${call.endpoint.credentialHost}${note ? ` (${note})` : ""} (${status})`;
    const hint = credential
      ? `check that the account can pull ${call.reference.repository}, or run \`${login}\` again`
      : `run \`${login}\`${call.reference.dockerHub ? " (or check the name: Docker Hub answers 401 for repositories that do not exist)" : ""}`;
    return this.error(call, "unauthorized", what, status, undefined, hint);
  }

  private protocolError(call: Call, what: string, status?: number): RegistryError {
    return this.error(
      call,
      "protocol",
      what,
      status,
      undefined,
      "is it a registry (OCI distribution API v2)?",
    );
  }

  private deadlineError(call: Call): RegistryError {
    return this.error(
      call,
      "unreachable",
      `gave up after ${Math.round(this.deadlineMs / 100) / 10} s`,
      undefined,
      undefined,
      this.unreachableHint(call),
    );
  }

  private unreachableHint(call: Call): string {
    return call.reference.dockerHub
      ? "check the network (or proxy); SHIPSHAPE_REGISTRY_MIRROR sets a mirror for Docker Hub images"
      : "check the network (or proxy) and the registry's name";
  }

  private error(
    call: Call,
    kind: RegistryErrorKind,
    what: string,
    status?: number,
    cause?: unknown,
    hint?: string,
  ): RegistryError {
    return new RegistryError(kind, {
      image: call.reference.text,
      registry: call.endpoint.label,
      what,
      ...(hint === undefined ? {} : { hint }),
      ...(status === undefined ? {} : { status }),
      ...(cause === undefined ? {} : { cause }),
    });
  }

  private endpoints(reference: ImageReference): Endpoint[] {
    const own: Endpoint = {
      base: reference.dockerHub
        ? this.dockerHubUrl
        : `${this.plainHttpAllowed(reference.domain) ? "http" : "https"}://${reference.registry}`,
      label: reference.domain,
      credentialHost: reference.domain,
      dockerHub: reference.dockerHub,
      mirror: false,
    };
    if (!reference.dockerHub) return [own];
    const mirrors = this.mirrors.map(
      (base): Endpoint => ({
        base,
        label: base,
        credentialHost: new URL(base).host,
        dockerHub: false,
        mirror: true,
      }),
    );
    return [...mirrors, own];
  }

  private plainHttpAllowed(host: string): boolean {
    const lower = host.toLowerCase();
    const name = lower.startsWith("[") ? lower.slice(0, lower.indexOf("]") + 1) : lower.replace(/:\d+$/, "");
    return (
      name === "localhost" ||
      /^127(?:\.\d{1,3}){3}$/.test(name) ||
      name === "[::1]" ||
      this.insecure.has(lower) ||
      this.insecure.has(name)
    );
  }

  /** `http://127.0.0.1:5000/` → `http://127.0.0.1:5000`; a bare host gets https unless trusted with http. */
  private mirrorBase(mirror: string, fromEnv: boolean): string {
    const withScheme = /^[a-z][a-z0-9+.-]*:\/\//i.test(mirror)
      ? mirror
      : `${this.plainHttpAllowed(mirror.replace(/\/.*$/, "")) ? "http" : "https"}://${mirror}`;
    let url: URL;
    try {
      url = new URL(withScheme);
    } catch {
      throw new UsageError(`registry mirror "${mirror}" is not a URL`, {
        hint: fromEnv
          ? "SHIPSHAPE_REGISTRY_MIRROR takes comma-separated URLs like https://mirror.example"
          : undefined,
      });
    }
    if (url.protocol !== "http:" && url.protocol !== "https:") {
      throw new UsageError(`registry mirror "${mirror}" is not an http(s) URL`);
    }
    if (url.username || url.password) {
      // Never echo it back: it holds a secret.
      throw new UsageError("a registry mirror URL contains credentials", {
        hint: "put them in ~/.docker/config.json (docker login <mirror>) instead",
      });
    }
    return `${url.origin}${url.pathname.replace(/\/+$/, "")}`;
  }
}

/** The path of the next page from a `Link: </v2/…/tags/list?last=x&n=1000>; rel="next"` header. */
export function nextPage(link: string | null, base: string): string | undefined {
  if (!link) return undefined;
  for (const part of link.split(",")) {
    const match = /<([^>]*)>\s*;(.*)$/.exec(part.trim());
    if (!match || !/\brel\s*=\s*"?next"?/i.test(match[2] ?? "")) continue;
    try {
      const url = new URL(match[1] ?? "", `${base}/`);
      // Only the same registry: a Link elsewhere would take the credentials with it.
      if (url.origin !== new URL(base).origin) return undefined;
      return `${url.pathname}${url.search}`;
    } catch {
      return undefined;
    }
  }
  return undefined;
}

function withMirrorFailures(error: RegistryError, failures: string[]): RegistryError {
  const combined = new RegistryError(error.kind, {
    image: error.image,
    registry: error.registry,
    what: `${error.what}; before that, ${failures.join("; ")}`,
    ...(error.hint === undefined ? {} : { hint: error.hint }),
    ...(error.status === undefined ? {} : { status: error.status }),
    ...(error.cause === undefined ? {} : { cause: error.cause }),
  });
  return combined;
}

function basicAuthorization(credential: Credential): string {
  return `Basic ${Buffer.from(`${credential.username}:${credential.password}`).toString("base64")}`;
}

function splitList(value: string | undefined): string[] {
  return (value ?? "")
    .split(",")
    .map((item) => item.trim())
    .filter((item) => item !== "");
}

function mediaTypeOf(contentType: string | null): string {
  return (contentType ?? "").split(";")[0]!.trim().toLowerCase();
}

/** `Bearer realm="https://auth.docker.io/token",service="registry.docker.io",scope="…"` */
export function parseChallenge(header: string | null): Challenge | undefined {
  if (!header) return undefined;
  const match = /^\s*([A-Za-z][\w-]*)\s*(.*)$/s.exec(header);
  if (!match) return undefined;
  const params: Record<string, string> = {};
  const pattern = /([A-Za-z][\w-]*)\s*=\s*("((?:[^"\\]|\\.)*)"|[^,\s]*)\s*,?\s*/g;
  for (const param of (match[2] ?? "").matchAll(pattern)) {
    const name = param[1]!.toLowerCase();
    params[name] = param[3] === undefined ? (param[2] ?? "") : param[3].replace(/\\(.)/g, "$1");
  }
  return { scheme: match[1]!, params };
}

/** Retry-After in seconds or as an HTTP date, in milliseconds. */
export function parseRetryAfter(value: string | null): number | undefined {
  if (value === null || value.trim() === "") return undefined;
  if (/^\d+$/.test(value.trim())) return Number(value.trim()) * 1000;
  const date = Date.parse(value);
  return Number.isNaN(date) ? undefined : Math.max(0, date - Date.now());
}

function describeNetworkError(
  error: unknown,
  timeoutMs: number,
): { what: string; retry: boolean; hint?: string } {
  const name = (error as { name?: string })?.name;
  if (name === "TimeoutError" || name === "AbortError") {
    return { what: `no answer within ${timeoutMs} ms`, retry: false };
  }
  const cause = (error as { cause?: { code?: string; message?: string } })?.cause;
  const code = cause?.code ?? "";
  if (code === "ECONNREFUSED") return { what: "connection refused", retry: false };
  if (code === "ENOTFOUND" || code === "EAI_AGAIN")
    return { what: `its host name does not resolve (${code})`, retry: false };
  if (code === "ECONNRESET" || code === "UND_ERR_SOCKET" || code === "EPIPE") {
    return { what: `the connection was dropped (${code})`, retry: true };
  }
  if (/SSL|TLS|CERT/i.test(code)) {
    return {
      what: `TLS failed (${code})`,
      retry: false,
      hint: "a registry served over plain http goes in SHIPSHAPE_INSECURE_REGISTRIES (host:port)",
    };
  }
  return {
    what: `the request failed (${code || cause?.message || (error as Error)?.message || "unknown error"})`,
    retry: false,
  };
}

/** The registry's error code and message (`MANIFEST_UNKNOWN: manifest unknown`), short and on one line. */
async function errorDetail(response: Response): Promise<string> {
  let text = "";
  try {
    text = (await readLimited(response, 64 * 1024, () => new Error("too large"))).toString("utf8");
  } catch {
    return "";
  }
  try {
    const parsed = JSON.parse(text) as { errors?: Array<{ code?: unknown; message?: unknown }> };
    const first = parsed.errors?.[0];
    if (first && typeof first.code === "string") {
      const message = typeof first.message === "string" ? `: ${first.message}` : "";
      return `${first.code}${message}`.replace(/\s+/g, " ").slice(0, 200);
    }
  } catch {
    // not the registry's JSON error format
  }
  return "";
}

async function readLimited(response: Response, limit: number, tooLarge: () => Error): Promise<Buffer> {
  const length = Number(response.headers.get("content-length") ?? "0");
  if (length > limit) {
    await discard(response);
    throw tooLarge();
  }
  if (!response.body) return Buffer.alloc(0);
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of response.body as AsyncIterable<Uint8Array>) {
    size += chunk.byteLength;
    if (size > limit) throw tooLarge();
    chunks.push(Buffer.from(chunk));
  }
  return Buffer.concat(chunks);
}

/** Frees the connection of a response whose body is not read. */
async function discard(response: Response): Promise<void> {
  try {
    await response.body?.cancel();
  } catch {
    // already consumed or closed
  }
}

// --- platforms ------------------------------------------------------------------------------------

interface WantedPlatform {
  text: string;
  os: string;
  architecture: string;
  variant?: string;
}

const ARCHITECTURE_ALIASES: Record<string, { architecture: string; variant?: string }> = {
  x86_64: { architecture: "amd64" },
  "x86-64": { architecture: "amd64" },
  aarch64: { architecture: "arm64" },
  armhf: { architecture: "arm", variant: "v7" },
  armel: { architecture: "arm", variant: "v6" },
  i386: { architecture: "386" },
};
/** The variant an architecture means when none is written (as containerd's platforms package). */
const DEFAULT_VARIANTS: Record<string, string> = { arm64: "v8", arm: "v7" };

export function parsePlatform(text: string): WantedPlatform {
  const parts = text.trim().toLowerCase().split("/");
  if (parts.length < 2 || parts.length > 3 || parts.some((part) => !/^[a-z0-9._-]+$/.test(part))) {
    throw new UsageError(`invalid platform "${text}"`, {
      hint: "write it as os/arch[/variant], e.g. linux/arm64",
    });
  }
  const [os, written, variant] = parts as [string, string, string | undefined];
  const alias = ARCHITECTURE_ALIASES[written];
  const architecture = alias?.architecture ?? written;
  const wanted: WantedPlatform = { text: text.trim(), os, architecture };
  const resolvedVariant = variant ?? alias?.variant;
  if (resolvedVariant !== undefined) wanted.variant = resolvedVariant;
  return wanted;
}

function indexEntries(body: Buffer, invalid: () => Error): PlatformManifest[] {
  let parsed: {
    manifests?: Array<{
      digest?: unknown;
      mediaType?: unknown;
      platform?: { os?: unknown; architecture?: unknown; variant?: unknown };
      annotations?: Record<string, unknown>;
    }>;
  };
  try {
    parsed = JSON.parse(body.toString("utf8"));
  } catch {
    throw invalid();
  }
  const entries: PlatformManifest[] = [];
  for (const manifest of parsed.manifests ?? []) {
    const platform = manifest.platform;
    if (typeof manifest.digest !== "string" || typeof platform?.os !== "string") continue;
    if (typeof platform.architecture !== "string") continue;
    // BuildKit's provenance and SBOM attestations are listed as unknown/unknown entries.
    if (manifest.annotations?.["vnd.docker.reference.type"] === "attestation-manifest") continue;
    if (platform.os === "unknown" && platform.architecture === "unknown") continue;
    const variant =
      typeof platform.variant === "string" && platform.variant !== "" ? `/${platform.variant}` : "";
    entries.push({
      platform: `${platform.os}/${platform.architecture}${variant}`,
      digest: manifest.digest,
      mediaType: typeof manifest.mediaType === "string" ? manifest.mediaType : "",
    });
  }
  return entries;
}

/** The entry for a platform; an unwritten variant matches the architecture's default, or any. */
export function matchPlatform(
  entries: readonly PlatformManifest[],
  wanted: WantedPlatform,
): PlatformManifest | undefined {
  const candidates = entries.filter((entry) => {
    const [os, architecture] = entry.platform.split("/");
    return os === wanted.os && architecture === wanted.architecture;
  });
  const variantOf = (entry: PlatformManifest): string | undefined => entry.platform.split("/")[2];
  const defaultVariant = DEFAULT_VARIANTS[wanted.architecture];
  const effective = (variant: string | undefined): string | undefined => variant ?? defaultVariant;
  if (wanted.variant !== undefined || defaultVariant !== undefined) {
    const target = effective(wanted.variant);
    return candidates.find((entry) => effective(variantOf(entry)) === target);
  }
  return candidates.find((entry) => variantOf(entry) === undefined) ?? candidates[0];
}
