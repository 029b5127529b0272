/**
 * A small, dependency-free client for ItsYou.online, the OAuth2 identity
 * server: get an access token (client credentials or authorization code),
 * trade it for an ES384 JWT, refresh, derive and verify JWTs, and keep one
 * renewed in the background.
 *
 * One file, no imports, only web APIs (`fetch`, `URL`, `crypto.subtle`): Deno,
 * Bun and workers run it as it is, Node 20.19+ as the npm package's JavaScript
 * (`npm install @itsyou/token`). Every call ends within its documented time
 * bound; every failure is an {@linkcode ItsYouOnlineError} with a stable
 * `code` and a message that says what to check, and never holds a secret.
 *
 * Reading order: constants and limits; the shared types; the error; the one
 * request function (`send`: the time bound, retries, the body cap, the error
 * mapping, redaction); the flows, each with its options just above it
 * ({@linkcode getAccessToken}, {@linkcode exchangeCode},
 * {@linkcode authorizeUrl}, {@linkcode parseCallback}, {@linkcode getJwt},
 * {@linkcode refreshJwt}, {@linkcode deriveJwt}); JWTs
 * ({@linkcode decodeJwt}, {@linkcode verifyJwt}, {@linkcode isDerivedJwt});
 * and {@linkcode createTokenSource}.
 *
 * More: the library in depth
 * (https://github.com/org/itsyou-token-action/blob/main/docs/library.md),
 * every error message
 * (https://github.com/org/itsyou-token-action/blob/main/docs/troubleshooting.md),
 * the command line, `jsr:@itsyou/token@^1/cli`
 * (https://github.com/org/itsyou-token-action/blob/main/docs/cli.md), and the
 * GitHub Action built on it, `org/itsyou-token-action@v1`.
 *
 * @example Get a JWT for an organization in one round trip
 * ```ts
 * import { getJwt, verifyJwt } from "./mod.ts";
 *
 * const jwt = await getJwt(
 *   { clientId: "myorg", clientSecret: Deno.env.get("ITSYOU_CLIENT_SECRET")! },
 *   { scope: "user:memberof:myorg", validity: 3600 },
 * );
 * const claims = await verifyJwt(jwt);
 * console.log(claims.globalid, claims.exp);
 * ```
 *
 * @module
 */

// ---------------------------------------------------------------------------
// Constants
// ---------------------------------------------------------------------------

/**
 * The public ItsYou.online service, the default `baseUrl`.
 *
 * @example
 * ```ts
 * import { ITSYOU_ONLINE_URL } from "./mod.ts";
 * console.log(new URL("/v1/oauth/authorize", ITSYOU_ONLINE_URL).href);
 * ```
 */
export const ITSYOU_ONLINE_URL = "https://itsyou.online";

/**
 * The ES384 (P-384) public key that signs JWTs issued by itsyou.online, the
 * default key of {@linkcode verifyJwt}.
 *
 * @example
 * ```ts
 * import { ITSYOU_ONLINE_PUBLIC_KEY, verifyJwt } from "./mod.ts";
 * declare const jwt: string;
 * await verifyJwt(jwt, { publicKey: ITSYOU_ONLINE_PUBLIC_KEY });
 * ```
 */
export const ITSYOU_ONLINE_PUBLIC_KEY = `-----BEGIN PUBLIC KEY-----
MHYwEAYHKoZIzj0CAQYFK4EEACIDYgAES5X8XrfKdx9gYayFITc89wad4usrk0n2
7MjiGYvqalizeSWTHEpnd7oea9IQ8T5oJjMVH5cc0H5tFSKilFFeh//wngxIyny6
6+Vq5t5B0V0Ehy01+2ceEon2Y0XDkIKv
-----END PUBLIC KEY-----`;

/**
 * The ES384 (P-384) public key of staging.itsyou.online.
 *
 * @example
 * ```ts
 * import { ITSYOU_ONLINE_STAGING_PUBLIC_KEY, verifyJwt } from "./mod.ts";
 * declare const jwt: string;
 * await verifyJwt(jwt, { publicKey: ITSYOU_ONLINE_STAGING_PUBLIC_KEY });
 * ```
 */
export const ITSYOU_ONLINE_STAGING_PUBLIC_KEY = `-----BEGIN PUBLIC KEY-----
MHYwEAYHKoZIzj0CAQYFK4EEACIDYgAEkmd07vxBqoCiHsaplIpjlonDeOnpvPam
ORMdBcAlHNXbzwplcdK4qlZGPBz9mxDSrBOv9SZH+Et6r8gn9Fx/+ZjlvRwowqOU
FpCIijAEx6A3BhfRUbmwl1evBKzWB/qw
-----END PUBLIC KEY-----`;

const ACCESS_TOKEN_PATH = "/v1/oauth/access_token";
const JWT_PATH = "/v1/oauth/jwt";
const REFRESH_PATH = "/v1/oauth/jwt/refresh";
const AUTHORIZE_PATH = "/v1/oauth/authorize";

/**
 * The defaults of every request: `timeout` per attempt, in milliseconds, and
 * `retries`. The action's inputs and the command line use these same values.
 *
 * @example
 * ```ts
 * import { DEFAULTS } from "./mod.ts";
 * console.log(`${DEFAULTS.timeoutMs} ms per attempt, ${DEFAULTS.retries} retries`);
 * ```
 */
export const DEFAULTS: { readonly timeoutMs: number; readonly retries: number } = { timeoutMs: 10_000, retries: 3 };

/**
 * The limits of the options: `retries` at most `retries`, `timeout` (ms) at
 * most `timeoutMs`, a JWT's `validity` in seconds from 1 to
 * `validitySeconds` (the server caps every JWT at 24 hours), and text options
 * at most `textLength` characters.
 *
 * @example
 * ```ts
 * import { LIMITS } from "./mod.ts";
 * const validity = Math.min(7200, LIMITS.validitySeconds);
 * ```
 */
export const LIMITS: {
  readonly retries: number;
  readonly timeoutMs: number;
  readonly validitySeconds: number;
  readonly textLength: number;
} = { retries: 10, timeoutMs: 3_600_000, validitySeconds: 86_400, textLength: 4096 };

/**
 * Whether `text` holds a control character (C0, DEL, C1) or a Unicode line or
 * paragraph separator: what no single-line value (an input, a flag, a user
 * name) may hold.
 *
 * @example
 * ```ts
 * import { hasControlCharacter } from "./mod.ts";
 * hasControlCharacter("secret\n"); // true
 * ```
 */
export function hasControlCharacter(text: string): boolean {
  // deno-lint-ignore no-control-regex
  return /[\u0000-\u001f\u007f-\u009f\u2028\u2029]/.test(text);
}

const DEFAULT_TIMEOUT_MS = DEFAULTS.timeoutMs;
const DEFAULT_RETRIES = DEFAULTS.retries;
const MAX_RETRIES = LIMITS.retries;
const MAX_TIMEOUT_MS = LIMITS.timeoutMs;
const MAX_BODY_BYTES = 1024 * 1024;
const MAX_JWT_LENGTH = 128 * 1024;
const MAX_TEXT_LENGTH = LIMITS.textLength;
const MAX_VALIDITY_SECONDS = LIMITS.validitySeconds;
const BACKOFF_BASE_MS = 200;
const BACKOFF_CAP_MS = 5_000;
/** The least time worth another attempt; with less left of the call's bound, the call fails at once. */
const MIN_ATTEMPT_MS = 100;
/** The longest `Retry-After` taken as it is: a year. */
const MAX_RETRY_AFTER_MS = 366 * 86_400_000;
/** Statuses that can heal: timeouts, rate limits, server and gateway failures (520-524 are Cloudflare's). */
const RETRYABLE_STATUSES = new Set([408, 429, 500, 502, 503, 504, 520, 521, 522, 523, 524]);
/** Bounds on numbers the server sends: 10 years of token life; JWT times a `Date` can hold. */
const MAX_EXPIRES_IN_SECONDS = 10 * 365 * 86_400;
const MAX_JWT_TIME_SECONDS = 8_640_000_000_000;
/** The scopes that say the user is in an organization; only the server's own check makes them true. */
const MEMBERSHIP_SCOPE = "user:memberof:";

// ---------------------------------------------------------------------------
// Types
// ---------------------------------------------------------------------------

/**
 * What this module passes to `fetch`: always a POST with a form body and
 * `redirect: "manual"`.
 *
 * @example
 * ```ts
 * import type { FetchInit } from "./mod.ts";
 * const logRequests = (input: string, init: FetchInit) => {
 *   console.log(init.method, new URL(input).pathname); // never log init.body: it holds the secret
 *   return fetch(input, init);
 * };
 * ```
 */
export interface FetchInit {
  /** Always `"POST"`. */
  method: string;
  /** Lower-case header names. */
  headers: Record<string, string>;
  /** The `application/x-www-form-urlencoded` body. */
  body: string;
  /** Always `"manual"`: redirects are never followed. */
  redirect: "manual";
  /** Aborts the attempt (timeout or the caller's signal). */
  signal: AbortSignal;
}

/**
 * The part of a `ReadableStream` this module reads: chunks, and a way to
 * stop. A `fetch` without web streams can return this instead.
 *
 * @example A body over any async iterator of chunks
 * ```ts
 * import type { FetchBody } from "./mod.ts";
 * function bodyOf(chunks: AsyncIterator<Uint8Array>, stop: () => void): FetchBody {
 *   const cancel = (): Promise<void> => Promise.resolve(stop());
 *   return {
 *     getReader: () => ({
 *       read: async () => {
 *         const { done, value } = await chunks.next();
 *         return done ? { done: true } : { done: false, value };
 *       },
 *       cancel,
 *     }),
 *     cancel,
 *   };
 * }
 * ```
 */
export interface FetchBody {
  /** A reader for the chunks; `cancel()` stops the download. */
  getReader(): {
    read(): Promise<{ done: true; value?: undefined } | { done: false; value: Uint8Array }>;
    cancel(): Promise<void>;
  };
  /** Stops the download without reading. */
  cancel(): Promise<void>;
}

/**
 * The part of a `Response` this module reads; a real `Response` has it.
 *
 * @example
 * ```ts
 * import type { FetchResponse } from "./mod.ts";
 * const offline = (): Promise<FetchResponse> =>
 *   Promise.resolve(new Response("Bad Request\n", { status: 400 }));
 * ```
 */
export interface FetchResponse {
  /** The HTTP status. */
  status: number;
  /** The response headers. */
  headers: { get(name: string): string | null };
  /** The body, read up to 1 MiB or cancelled. */
  body: ReadableStream<Uint8Array> | FetchBody | null;
}

/**
 * A `fetch`-compatible function (the global `fetch` is one), for proxies,
 * tests and custom agents. It gets the URL as a string.
 *
 * @example
 * ```ts
 * import { getAccessToken } from "./mod.ts";
 * import type { FetchFunction } from "./mod.ts";
 * const timed: FetchFunction = async (input, init) => {
 *   const started = performance.now();
 *   try {
 *     return await fetch(input, init);
 *   } finally {
 *     console.log(`${new URL(input).pathname}: ${performance.now() - started} ms`);
 *   }
 * };
 * await getAccessToken({ clientId: "myorg", clientSecret: "…", fetch: timed });
 * ```
 */
export type FetchFunction = (input: string, init: FetchInit) => Promise<FetchResponse>;

/**
 * How to reach the server; accepted by every function that makes a request.
 *
 * @example
 * ```ts
 * import { getJwt } from "./mod.ts";
 * import type { RequestOptions } from "./mod.ts";
 * const selfHosted: RequestOptions = { baseUrl: "https://id.example.com", timeout: 5000, retries: 1 };
 * const jwt = await getJwt({ clientId: "myorg", clientSecret: "…" }, { ...selfHosted, audience: "api" });
 * ```
 */
export interface RequestOptions {
  /**
   * The identity server, `https://itsyou.online` by default. A path prefix is
   * kept (`https://example.com/iyo` and `https://example.com/iyo/` are the
   * same). Plain `http:` is only accepted for loopback hosts.
   */
  baseUrl?: string | URL;
  /** The `fetch` to use; the global `fetch` by default. */
  fetch?: FetchFunction;
  /** Aborts the request, including its retries, at once. */
  signal?: AbortSignal;
  /**
   * Milliseconds per attempt, headers and body included (default 10000). The
   * attempt ends then even if `fetch` ignores its signal.
   */
  timeout?: number;
  /**
   * Extra attempts after the first on failures that can heal: refused or
   * reset connections, temporary DNS failures, timeouts, and the statuses 408,
   * 429, 500, 502, 503, 504 and 520-524 (default 3, so at most 4 requests; 0 to
   * 10). An untrusted certificate, an unknown host and other statuses fail at once.
   * A call ends within `(retries + 1) × timeout` plus the backoffs (200 ms
   * doubling, at most 5 s each): a `Retry-After` is honoured only while it fits.
   */
  retries?: number;
  /** The `User-Agent` header, printable ASCII; the runtime's own when absent. */
  userAgent?: string;
}

/**
 * A client's credentials: an organization API key, or a user API key.
 *
 * @example
 * ```ts
 * import { getJwt } from "./mod.ts";
 * import type { ClientCredentials } from "./mod.ts";
 * const credentials: ClientCredentials = { clientId: "myorg", clientSecret: Deno.env.get("ITSYOU_CLIENT_SECRET")! };
 * const jwt = await getJwt(credentials);
 * ```
 */
export interface ClientCredentials {
  /** The organization's globalid, or a user API key's application id. */
  clientId: string;
  /** The API key's secret. */
  clientSecret: string;
}

/**
 * An OAuth access token, as returned by {@linkcode getAccessToken} and {@linkcode exchangeCode}.
 *
 * @example
 * ```ts
 * import { getAccessToken } from "./mod.ts";
 * const token = await getAccessToken({ clientId: "myorg", clientSecret: "…" });
 * await fetch("https://itsyou.online/api/organizations/myorg", {
 *   headers: { authorization: `token ${token.accessToken}` },
 * });
 * ```
 */
export interface AccessToken {
  /** The opaque token; send it as `Authorization: token <accessToken>`. */
  accessToken: string;
  /** Always `"bearer"` on ItsYou.online, although the API expects `token`. */
  tokenType: string;
  /** The granted scopes, without empty entries. */
  scopes: string[];
  /** Seconds the token stays valid, as the server reported (normally 85799). */
  expiresIn: number;
  /** When the token expires, from the local clock at receipt plus `expiresIn`. */
  expiresAt: Date;
  /** The user the token belongs to; absent for organization tokens. */
  username?: string;
  /**
   * The OpenID Connect ID token (an ES384 JWT with `sub`, `aud`, `iat` and the
   * values of the authorized user scopes), from {@linkcode exchangeCode} when
   * the user authorized the `openid` scope; verify it with {@linkcode verifyJwt}
   * and `audience` set to your client id.
   */
  idToken?: string;
}

/**
 * The claims of an ItsYou.online JWT. Other claims may be present.
 *
 * @example
 * ```ts
 * import { verifyJwt } from "./mod.ts";
 * import type { JwtClaims } from "./mod.ts";
 * declare const jwt: string;
 * const claims: JwtClaims = await verifyJwt(jwt);
 * const subject = claims.username ?? claims.globalid;
 * ```
 *
 * Check membership with `verifyJwt(jwt, { scope: "user:memberof:myorg" })`, not by
 * reading `scope` yourself: verifyJwt knows which JWTs cannot prove it
 * ({@linkcode isDerivedJwt}).
 */
export interface JwtClaims {
  /** Issuer, `"itsyouonline"`. */
  iss?: string;
  /** Expiry, seconds since the epoch. */
  exp?: number;
  /** The client id the token was issued to. */
  azp?: string;
  /** Granted scopes (always an array on ItsYou.online). */
  scope?: string[];
  /** The user, for user tokens. */
  username?: string;
  /**
   * The organization, for organization tokens; `null` on a JWT that
   * ItsYou.online made by delegation ({@linkcode isDerivedJwt}).
   */
  globalid?: string | null;
  /** Audiences, only when asked for. */
  aud?: string | string[];
  /** Present on refreshable JWTs. */
  refresh_token?: string;
  /** Any other claim. */
  [claim: string]: unknown;
}

/**
 * The stable codes of {@linkcode ItsYouOnlineError}.
 *
 * @example
 * ```ts
 * import { getAccessToken, ItsYouOnlineError } from "./mod.ts";
 * import type { ItsYouOnlineErrorCode } from "./mod.ts";
 * const retryLater: ItsYouOnlineErrorCode[] = ["TIMEOUT", "NETWORK_ERROR"];
 * try {
 *   await getAccessToken({ clientId: "myorg", clientSecret: "…" });
 * } catch (error) {
 *   if (error instanceof ItsYouOnlineError && retryLater.includes(error.code)) console.warn("try again later");
 *   else throw error;
 * }
 * ```
 */
export type ItsYouOnlineErrorCode =
  | "HTTP_ERROR"
  | "TIMEOUT"
  | "NETWORK_ERROR"
  | "TLS_ERROR"
  | "FETCH_ERROR"
  | "ABORTED"
  | "INVALID_RESPONSE"
  | "INVALID_ARGUMENT"
  | "STATE_MISMATCH"
  | "NOT_REFRESHABLE"
  | "JWT_INVALID"
  | "JWT_SIGNATURE_INVALID"
  | "JWT_EXPIRED"
  | "JWT_CLAIM_INVALID"
  | "INVALID_REQUEST";

// ---------------------------------------------------------------------------
// Errors
// ---------------------------------------------------------------------------

/**
 * Every failure of this module. `code` is stable; `message` says what to
 * check. No message, `cause` or property ever holds a secret, code or token.
 *
 * @example
 * ```ts
 * import { getAccessToken, ItsYouOnlineError } from "./mod.ts";
 * try {
 *   await getAccessToken({ clientId: "myorg", clientSecret: "wrong" });
 * } catch (error) {
 *   if (error instanceof ItsYouOnlineError && error.code === "HTTP_ERROR") {
 *     console.error(error.status, error.endpoint, error.message);
 *   }
 * }
 * ```
 */
export class ItsYouOnlineError extends Error {
  /** Always `"ItsYouOnlineError"`. */
  override readonly name = "ItsYouOnlineError";
  /** What went wrong, for programs. */
  readonly code: ItsYouOnlineErrorCode;
  /** The HTTP status, for `HTTP_ERROR`. */
  readonly status?: number;
  /** The endpoint's path, e.g. `/v1/oauth/access_token`, for request errors. */
  readonly endpoint?: string;
  /**
   * The claim that failed, for `JWT_CLAIM_INVALID`: `iss`, `exp`, `nbf`,
   * `iat`, `aud` or `scope`. A service answers 403 for `scope` (the token is
   * valid but lacks a permission) and 401 for the others.
   */
  readonly claim?: string;

  /**
   * Creates an error; the module does this, callers rarely need to.
   *
   * @param code A stable code.
   * @param message What happened and what to check.
   * @param details The status, the endpoint, the claim and a secret-free cause.
   */
  constructor(
    code: ItsYouOnlineErrorCode,
    message: string,
    details: { status?: number; endpoint?: string; claim?: string; cause?: Error } = {},
  ) {
    super(message, details.cause ? { cause: details.cause } : undefined);
    this.code = code;
    if (details.status !== undefined) this.status = details.status;
    if (details.endpoint !== undefined) this.endpoint = details.endpoint;
    if (details.claim !== undefined) this.claim = details.claim;
  }
}

function invalidArgument(message: string): ItsYouOnlineError {
  return new ItsYouOnlineError("INVALID_ARGUMENT", message);
}

// ---------------------------------------------------------------------------
// Argument checks (they never echo a value: it may be a secret)
// ---------------------------------------------------------------------------

function checkText(name: string, value: unknown, max = MAX_TEXT_LENGTH): string {
  if (value === undefined || value === null) throw invalidArgument(`${name} is missing.`);
  if (typeof value !== "string") throw invalidArgument(`${name} must be a string, not ${typeof value}.`);
  if (value.trim() === "") throw invalidArgument(`${name} is empty; pass a non-empty string.`);
  if (hasControlCharacter(value)) {
    throw invalidArgument(`${name} contains a line break or another control character; remove it.`);
  }
  if (value.length > max) throw invalidArgument(`${name} is longer than ${max} characters.`);
  return value;
}

function checkObject(name: string, value: unknown): Record<string, unknown> {
  if (typeof value !== "object" || value === null || Array.isArray(value)) {
    throw invalidArgument(`${name} must be an object.`);
  }
  return value as Record<string, unknown>;
}

function checkBoolean(name: string, value: unknown): boolean {
  if (value === undefined) return false;
  if (typeof value !== "boolean") throw invalidArgument(`${name} must be true or false.`);
  return value;
}

function checkInteger(name: string, value: unknown, min: number, max: number): number {
  if (typeof value !== "number" || !Number.isInteger(value) || value < min || value > max) {
    throw invalidArgument(`${name} must be a whole number from ${min} to ${max}.`);
  }
  return value;
}

function checkValidity(value: unknown): number | undefined {
  if (value === undefined) return undefined;
  return checkInteger("validity (seconds)", value, 1, MAX_VALIDITY_SECONDS);
}

/** A list from `["a", "b"]` or `"a,b"`: trimmed, empty entries dropped. */
function checkList(name: string, value: unknown): string[] {
  if (value === undefined) return [];
  const items = typeof value === "string" ? value.split(",") : value;
  if (!Array.isArray(items)) throw invalidArgument(`${name} must be a string or an array of strings.`);
  const list: string[] = [];
  for (const item of items) {
    if (typeof item !== "string") throw invalidArgument(`${name} must hold only strings.`);
    if (typeof value !== "string" && item.includes(",")) {
      throw invalidArgument(`${name} entries cannot contain a comma: the server splits on commas.`);
    }
    const trimmed = item.trim();
    if (trimmed !== "") list.push(checkText(`each entry of ${name}`, trimmed, 1024));
  }
  return list;
}

function checkCredentials(value: unknown): ClientCredentials {
  const options = checkObject("options", value);
  return {
    clientId: checkText("clientId", options.clientId),
    clientSecret: checkText("clientSecret", options.clientSecret),
  };
}

const LOOPBACK_HOST = /^(localhost|127(\.\d{1,3}){3}|\[::1\])$/;

/**
 * Checks a `baseUrl` the way every function here does, and returns it as a
 * `URL`: `https:` (or `http:` to a loopback host), no credentials, no query or
 * fragment, no empty path segment. Throws `INVALID_ARGUMENT` otherwise. Every
 * request goes to exactly this URL's origin. Use it to check configuration at
 * start-up.
 *
 * @example
 * ```ts
 * import { resolveBaseUrl } from "./mod.ts";
 * const baseUrl = resolveBaseUrl(Deno.env.get("ITSYOU_BASE_URL"));
 * console.log(baseUrl.href); // https://itsyou.online/ when unset
 * ```
 */
export function resolveBaseUrl(baseUrl?: string | URL): URL {
  return checkBaseUrl(baseUrl);
}

function checkBaseUrl(value: unknown): URL {
  if (value === undefined) return new URL(ITSYOU_ONLINE_URL);
  if (!(value instanceof URL) && typeof value !== "string") {
    throw invalidArgument("baseUrl must be a string or a URL.");
  }
  const text = value instanceof URL ? value.href : checkText("baseUrl", value);
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    throw invalidArgument("baseUrl is not an absolute URL; use e.g. https://itsyou.online.");
  }
  if (url.protocol !== "https:" && !(url.protocol === "http:" && LOOPBACK_HOST.test(url.hostname))) {
    throw invalidArgument("baseUrl must use https: (plain http: is accepted only for localhost and 127.0.0.1).");
  }
  if (url.username || url.password) {
    throw invalidArgument(
      "baseUrl must not contain a user name or password; pass credentials as clientId and clientSecret.",
    );
  }
  if (url.search || url.hash || text.includes("?") || text.includes("#")) {
    throw invalidArgument(
      "baseUrl must not have a query or a fragment; give the server's root, e.g. https://itsyou.online.",
    );
  }
  // `https://host//x` (or `/\x`, which URL reads as `//x`) has an empty path segment: resolved as a
  // reference, such a path names another host. Paths are only ever appended here, but refuse it anyway.
  if (url.pathname.includes("//") || text.includes("\\")) {
    throw invalidArgument(
      "baseUrl's path has an empty segment ('//') or a backslash; give the server's root, e.g. https://id.example.com/iyo.",
    );
  }
  return url;
}

/** The base URL with `path` appended to its path: same origin, always (never a relative reference). */
function endpointUrl(base: URL, path: string): URL {
  const url = new URL(base.origin);
  url.pathname = base.pathname.replace(/\/$/, "") + path;
  return url;
}

interface Transport {
  base: URL;
  fetch: FetchFunction;
  /** Whether the caller passed `fetch` (so an error can tell whose fetch failed). */
  customFetch: boolean;
  signal?: AbortSignal;
  timeout: number;
  retries: number;
  userAgent?: string;
}

/**
 * A header value: printable ASCII. `fetch` throws before sending on anything
 * beyond Latin-1, and servers read bytes beyond ASCII each their own way.
 */
function checkHeaderText(name: string, value: unknown, max: number): string {
  const text = checkText(name, value, max);
  if (/[^\u0020-\u007e]/.test(text)) {
    throw invalidArgument(
      `${name} contains a character that is not printable ASCII, which an HTTP header cannot carry reliably; check the value.`,
    );
  }
  return text;
}

function checkRequestOptions(options: Record<string, unknown>): Transport {
  const given = options.fetch;
  if (given !== undefined && typeof given !== "function") throw invalidArgument("fetch must be a function.");
  if (given === undefined && typeof globalThis.fetch !== "function") {
    throw invalidArgument("This runtime has no global fetch; pass one as fetch.");
  }
  // Never called as a method of an options object: workers refuse a `fetch` whose `this` is not the global.
  const fetchFunction: FetchFunction = given === undefined
    ? (input, init) => globalThis.fetch(input, init)
    : (input, init) => (given as FetchFunction).call(globalThis, input, init);
  const signal = options.signal;
  if (signal !== undefined && !(signal instanceof AbortSignal)) {
    throw invalidArgument("signal must be an AbortSignal.");
  }
  return {
    base: checkBaseUrl(options.baseUrl),
    fetch: fetchFunction,
    customFetch: given !== undefined,
    signal,
    timeout: options.timeout === undefined
      ? DEFAULT_TIMEOUT_MS
      : checkInteger("timeout (milliseconds)", options.timeout, 1, MAX_TIMEOUT_MS),
    retries: options.retries === undefined ? DEFAULT_RETRIES : checkInteger("retries", options.retries, 0, MAX_RETRIES),
    userAgent: options.userAgent === undefined ? undefined : checkHeaderText("userAgent", options.userAgent, 512),
  };
}

// ---------------------------------------------------------------------------
// The one request function
// ---------------------------------------------------------------------------

/** Which request this is, so that an error can say what to check. */
type Purpose = "client_credentials" | "authorization_code" | "jwt" | "refresh" | "derive";

interface Call {
  purpose: Purpose;
  path: string;
  form: Record<string, string | undefined>;
  authorization?: string;
  accept: string;
  /** Values that must never appear in an error. */
  secrets: string[];
}

interface Answer {
  /** The endpoint that answered: its URL, and its path as `ItsYouOnlineError.endpoint` names it. */
  url: URL;
  path: string;
  contentType: string;
  body: string;
  /** The server's clock when it answered (its `Date` header), if it sent a valid one. */
  serverTime?: number;
}

const STATUS_TEXT: Record<number, string> = {
  400: "Bad Request",
  401: "Unauthorized",
  403: "Forbidden",
  404: "Not Found",
  408: "Request Timeout",
  429: "Too Many Requests",
  500: "Internal Server Error",
  502: "Bad Gateway",
  503: "Service Unavailable",
  504: "Gateway Timeout",
};

async function send(transport: Transport, call: Call): Promise<Answer> {
  const url = endpointUrl(transport.base, call.path);
  const body = new URLSearchParams();
  for (const [name, value] of Object.entries(call.form)) if (value !== undefined) body.set(name, value);
  const headers: Record<string, string> = {
    "accept": call.accept,
    "content-type": "application/x-www-form-urlencoded",
  };
  if (call.authorization) headers.authorization = call.authorization;
  if (transport.userAgent) headers["user-agent"] = transport.userAgent;

  // The time bound: every attempt may take `timeout`, every retry its longest backoff. A `Retry-After` is
  // honoured only while the wait and a whole attempt still fit in it; after it, attempts get only what is left.
  // What is spent counts each attempt's time (at most its timeout) and each wait as planned, so that timers
  // firing late on a busy machine do not eat into the attempts the bound promises.
  const bound = callBound(transport);
  let spent = 0;
  for (let attempt = 1;; attempt++) {
    const timeout = Math.min(transport.timeout, Math.max(1, Math.floor(bound - spent)));
    const began = performance.now();
    const outcome = await attemptOnce(transport, call, url, headers, body.toString(), timeout);
    spent += Math.min(performance.now() - began, timeout);
    if (outcome.kind === "answer") {
      await connectionReturned();
      return outcome.answer;
    }
    if (outcome.kind === "fatal" || attempt > transport.retries) throw finalError(outcome, call, attempt);
    const backoff = Math.random() * backoffCap(attempt);
    const wait = Math.max(backoff, outcome.retryAfterMs ?? 0);
    const left = bound - spent;
    if (wait > backoff && wait + transport.timeout > left) throw retryAfterTooLong(outcome.error, call, wait, bound);
    // Nothing useful left for another attempt: the last failure is the answer.
    if (wait + Math.min(MIN_ATTEMPT_MS, transport.timeout) > left) throw finalError(outcome, call, attempt);
    await sleep(wait, transport.signal, call.path);
    spent += wait;
  }
}

/**
 * Node's `fetch` (undici) gives a connection back to its pool only after the
 * current turn of the event loop: a request made at once after the previous
 * answer was read (`getAccessToken()`, then `getJwt(token)`) would open a new
 * connection and pay a new handshake. One `setImmediate` turn lets it return
 * first. Runtimes without `setImmediate` (Deno, workers) reuse it already.
 */
function connectionReturned(): Promise<void> {
  const immediate = (globalThis as { setImmediate?: (callback: () => void) => unknown }).setImmediate;
  return immediate ? new Promise((resolve) => void immediate(resolve)) : Promise.resolve();
}

/** The longest backoff before retry number `attempt`: 200 ms doubling, 5 s at most. */
function backoffCap(attempt: number): number {
  return Math.min(BACKOFF_CAP_MS, BACKOFF_BASE_MS * 2 ** (attempt - 1));
}

/** A call's time bound in ms, whatever the server answers: `(retries + 1) × timeout` plus the longest backoffs. */
function callBound(transport: Transport): number {
  let bound = (transport.retries + 1) * transport.timeout;
  for (let attempt = 1; attempt <= transport.retries; attempt++) bound += backoffCap(attempt);
  return bound;
}

function retryAfterTooLong(error: ItsYouOnlineError, call: Call, wait: number, bound: number): ItsYouOnlineError {
  const when = wait >= MAX_RETRY_AFTER_MS
    ? "in more than a year"
    : `in ${Math.ceil(wait / 1000)} s (at ${new Date(Date.now() + wait).toISOString()})`;
  return new ItsYouOnlineError(
    error.code,
    `${error.message} The server asked to be called again ${when}, which does not fit in this call's time bound of ${bound} ms ((retries + 1) × timeout plus backoff); try again then, or raise timeout or retries.`,
    { status: error.status, endpoint: call.path },
  );
}

type Outcome =
  | { kind: "answer"; answer: Answer }
  | { kind: "retry"; error: ItsYouOnlineError; retryAfterMs?: number }
  | { kind: "fatal"; error: ItsYouOnlineError };

/** Why an attempt's deadline passed: its own timeout, or the caller's signal. */
const TIMED_OUT = Symbol("timed out");
const ABORTED_BY_CALLER = Symbol("aborted");

/** One attempt's deadline: its timeout or the caller's abort, whichever comes first. */
interface Deadline {
  /** Aborted when the deadline passes: the signal given to `fetch`. */
  signal: AbortSignal;
  /** `promise`, or a rejection with the deadline's reason if that comes first; a late rejection of `promise` is ignored. */
  within<T>(promise: Promise<T>): Promise<T>;
  /** TIMED_OUT or ABORTED_BY_CALLER once the deadline has passed. */
  readonly reason: symbol | undefined;
  /** Stops the timer and stops listening to the caller's signal. */
  clear(): void;
}

function deadline(timeout: number, callerSignal: AbortSignal | undefined): Deadline {
  const controller = new AbortController();
  let reason: symbol | undefined;
  let expire: (reason: symbol) => void = () => {};
  const passed = new Promise<never>((_, reject) => (expire = reject));
  const end = (why: symbol): void => {
    reason = why;
    expire(why);
    controller.abort();
  };
  const timer = setTimeout(() => end(TIMED_OUT), timeout);
  const onAbort = (): void => end(ABORTED_BY_CALLER);
  callerSignal?.addEventListener("abort", onAbort, { once: true });
  return {
    signal: controller.signal,
    within<T>(promise: Promise<T>): Promise<T> {
      promise.catch(() => {});
      return Promise.race([promise, passed]);
    },
    get reason() {
      return reason;
    },
    clear(): void {
      clearTimeout(timer);
      callerSignal?.removeEventListener("abort", onAbort);
    },
  };
}

/**
 * One attempt. The timeout does not rely on `fetch` honouring its signal: the
 * call to `fetch` and every body read race a deadline, so the attempt ends at
 * `timeout` whatever `fetch` does.
 */
async function attemptOnce(
  transport: Transport,
  call: Call,
  url: URL,
  headers: Record<string, string>,
  body: string,
  timeout: number,
): Promise<Outcome> {
  const { signal } = transport;
  if (signal?.aborted) return { kind: "fatal", error: aborted(call.path) };
  const time = deadline(timeout, signal);
  let response: FetchResponse | undefined;
  try {
    response = await time.within(
      new Promise<FetchResponse>((resolve) =>
        resolve(transport.fetch(url.href, { method: "POST", headers, body, redirect: "manual", signal: time.signal }))
      ),
    );
    return await responseOutcome(response, call, url, time);
  } catch (error) {
    if (response) void cancel(response);
    if (error instanceof ItsYouOnlineError) return { kind: "fatal", error };
    if (time.reason === ABORTED_BY_CALLER || signal?.aborted) return { kind: "fatal", error: aborted(call.path) };
    if (time.reason === TIMED_OUT) {
      return {
        kind: "retry",
        error: new ItsYouOnlineError(
          "TIMEOUT",
          `ItsYou.online did not answer ${call.path} within ${timeout} ms; check that the server is reachable from here, or raise the timeout.`,
          { endpoint: call.path },
        ),
      };
    }
    return classifyFailure(error, call, transport, url);
  } finally {
    time.clear();
  }
}

/** What a response means: a 2xx is an answer (its body read within the deadline); any other status a retry or not. */
async function responseOutcome(response: FetchResponse, call: Call, url: URL, time: Deadline): Promise<Outcome> {
  const status = response.status;
  if (status >= 200 && status < 300) {
    const text = await readCapped(response, call.path, time.within);
    const date = Date.parse(response.headers.get("date") ?? "");
    return {
      kind: "answer",
      answer: {
        url,
        path: call.path,
        contentType: response.headers.get("content-type") ?? "",
        body: text,
        serverTime: Number.isNaN(date) ? undefined : date,
      },
    };
  }
  void cancel(response);
  const error = httpError(call, status, url);
  // A 500 to a parent JWT is the server's panic on a parent it cannot take: it happens again on every retry.
  if (!RETRYABLE_STATUSES.has(status) || (call.purpose === "derive" && status === 500)) {
    return { kind: "fatal", error };
  }
  return { kind: "retry", error, retryAfterMs: parseRetryAfter(response.headers.get("retry-after")) };
}

/** Error codes (Node, Bun, undici) of connection failures that can heal. */
const TRANSIENT_CODES = new Set([
  "ECONNREFUSED",
  "ECONNRESET",
  "ECONNABORTED",
  "EPIPE",
  "ETIMEDOUT",
  "ENETUNREACH",
  "ENETDOWN",
  "EHOSTUNREACH",
  "EHOSTDOWN",
  "EAI_AGAIN",
  "EADDRNOTAVAIL",
  "UND_ERR_SOCKET",
  "UND_ERR_CLOSED",
  "UND_ERR_CONNECT_TIMEOUT",
  "UND_ERR_HEADERS_TIMEOUT",
  "UND_ERR_BODY_TIMEOUT",
  "ERR_STREAM_PREMATURE_CLOSE",
  "ConnectionRefused",
  "ConnectionClosed",
  "FailedToOpenSocket",
]);
/** The same failures as Deno and workers word them (they carry no code). */
const TRANSIENT_TEXT =
  /connection (refused|reset|closed|aborted|lost)|os error (99|104|110|111|113)|cannot assign requested address|tcp connect error|error reading a body|socket hang up|broken pipe|other side closed|temporary failure in name resolution|network connection lost|timed out/i;
/** A certificate that is not trusted (Node, Bun and undici codes; Deno's and workers' texts). */
const CERTIFICATE_CODE = /CERT|SELF_SIGNED|UNABLE_TO_VERIFY|UNABLE_TO_GET_ISSUER|^ERR_TLS_CERT/;
const CERTIFICATE_TEXT = /certificate|UnknownIssuer|CaUsedAsEndEntity/i;
/**
 * A TLS handshake that failed before any certificate was looked at: the port
 * speaks plain HTTP (or something else), or only HTTP/2.
 */
const HANDSHAKE_CODE =
  /^EPROTO$|^ERR_SSL_(WRONG_VERSION_NUMBER|PACKET_LENGTH_TOO_LONG|HTTP_REQUEST|.*NO_APPLICATION_PROTOCOL)/;
const HANDSHAKE_TEXT =
  /wrong version number|packet length too long|InvalidContentType|does the server speak TLS|no application protocol|\b(tls|ssl) (handshake|alert)/i;
/** An answer that is not HTTP/1.1 (another service on the port, a malformed status line, an endless header). */
const NOT_HTTP_CODE = /^HPE_|^UND_ERR_HEADERS_OVERFLOW$|^UND_ERR_RESPONSE$|^Malformed_HTTP_Response$/;
const NOT_HTTP_TEXT =
  /HTTPParserError|does not match the HTTP\/1\.1 protocol|parse error|invalid HTTP (version|status-code|header) parsed|message head is too large|headers? overflow/i;
const NO_SUCH_HOST_CODE = /^(ENOTFOUND|EAI_FAIL|EAI_NONAME)$/;
const NO_SUCH_HOST_TEXT =
  /name or service not known|no address associated|nodename nor servname|no such host|non-recoverable failure in name resolution/i;
/** Deno's refusal when a permission flag is missing. */
const PERMISSION_TEXT = /^(NotCapable|PermissionDenied)$|requires \w+ access|--allow-\w+/i;

/**
 * What a thrown `fetch` (or body read) failure means, and what to check. Only
 * connection failures that can heal are retried; an untrusted certificate, a
 * port that does not speak HTTPS or HTTP, an unknown host, a missing
 * permission and a programming error fail at once. Node, Deno, Bun and
 * workers word these differently: the codes and texts above cover each.
 */
function classifyFailure(error: unknown, call: Call, transport: Transport, url: URL): Outcome {
  const reason = describe(error, call.secrets);
  const chain = causeChain(error);
  const codes = chain.map((cause) => (cause as { code?: unknown }).code).filter((code): code is string =>
    typeof code === "string"
  );
  const names = chain.map((cause) => (cause instanceof Error ? cause.name : ""));
  /** Whether a cause's code matches `code`, or a cause's name or the description matches `text`. */
  const is = (code: RegExp | undefined, text: RegExp): boolean =>
    codes.some((c) => code?.test(c)) || names.some((n) => text.test(n)) || text.test(reason);
  const details = { endpoint: call.path, cause: new Error(reason) };
  const fatal = (code: ItsYouOnlineErrorCode, message: string): Outcome => ({
    kind: "fatal",
    error: new ItsYouOnlineError(code, message, details),
  });
  if (is(CERTIFICATE_CODE, CERTIFICATE_TEXT)) {
    return fatal(
      "TLS_ERROR",
      `The TLS connection to ${url.origin} failed (${reason}): the server's certificate is not trusted here. If the server uses a private CA, trust it (NODE_EXTRA_CA_CERTS=ca.pem on Node, Bun and in the action; --cert ca.pem on Deno); otherwise fix the server's certificate (expired, wrong host name or incomplete chain).`,
    );
  }
  if (is(HANDSHAKE_CODE, HANDSHAKE_TEXT)) {
    return fatal(
      "TLS_ERROR",
      `The TLS handshake with ${url.origin} failed before any certificate was checked (${reason}): whatever listens there does not speak HTTPS with this client. Check the base URL's scheme and port (https: to a plain-HTTP port fails this way) and that the server speaks HTTP/1.1, not only HTTP/2.`,
    );
  }
  if (is(NOT_HTTP_CODE, NOT_HTTP_TEXT)) {
    return fatal(
      "INVALID_RESPONSE",
      `What answered at ${url.origin} for ${call.path} is not an HTTP/1.1 server (${reason}); check the base URL's host and port: another service may listen there.`,
    );
  }
  if (is(NO_SUCH_HOST_CODE, NO_SUCH_HOST_TEXT)) {
    return fatal("NETWORK_ERROR", `The host ${url.hostname} does not exist (${reason}); check the base URL and DNS.`);
  }
  if (is(undefined, PERMISSION_TEXT)) {
    return fatal(
      "FETCH_ERROR",
      `The runtime refused the request to ${url.host} (${reason}): grant network access to it, e.g. deno run --allow-net=${url.host}.`,
    );
  }
  if (codes.some((code) => TRANSIENT_CODES.has(code)) || TRANSIENT_TEXT.test(reason)) {
    return {
      kind: "retry",
      error: new ItsYouOnlineError(
        "NETWORK_ERROR",
        `Could not reach ItsYou.online at ${url.origin} for ${call.path} (${reason}); check the base URL, DNS, proxy settings and the network.`,
        details,
      ),
    };
  }
  return fatal(
    "FETCH_ERROR",
    transport.customFetch
      ? `The fetch function failed in a way that is not a network failure (${reason}); check the fetch you pass (a method needs binding, e.g. (url, init) => client.fetch(url, init)).`
      : `The runtime's fetch failed in a way that is not a known network failure (${reason}); check the base URL ${url.origin} and the network, and report this message if it persists.`,
  );
}

function causeChain(error: unknown): unknown[] {
  const chain: unknown[] = [];
  for (let current = error; current !== undefined && current !== null && chain.length < 4;) {
    chain.push(current);
    current = current instanceof Error ? current.cause : undefined;
  }
  return chain;
}

function aborted(path: string): ItsYouOnlineError {
  return new ItsYouOnlineError("ABORTED", `The request to ${path} was aborted by its signal.`, { endpoint: path });
}

function finalError(outcome: Exclude<Outcome, { kind: "answer" }>, call: Call, attempts: number): ItsYouOnlineError {
  const error = outcome.error;
  if (attempts === 1 || outcome.kind === "fatal") return error;
  return new ItsYouOnlineError(error.code, `${error.message} (gave up after ${attempts} attempts)`, {
    status: error.status,
    endpoint: call.path,
    cause: error.cause instanceof Error ? error.cause : undefined,
  });
}

/**
 * What to check for an HTTP status: the first row whose status (one, or a
 * range) and purpose (when given) match the answer gives the advice.
 */
const HTTP_ADVICE: { status: number | [number, number]; purpose?: Purpose; advice: string }[] = [
  {
    status: [300, 399],
    advice:
      "The server answered with a redirect, which is never followed: check baseUrl (scheme, host and path prefix).",
  },
  {
    status: 400,
    purpose: "client_credentials",
    advice:
      "ItsYou.online refused the client credentials: check the client id and secret, and that the organization's API key has the client credentials flow enabled.",
  },
  {
    status: 400,
    purpose: "authorization_code",
    advice:
      "ItsYou.online refused the authorization code: codes are valid for 10 seconds, redirect_uri must equal the one sent to /v1/oauth/authorize, state must match when sent, and the client id and secret must be the organization's API key.",
  },
  {
    status: 401,
    purpose: "refresh",
    advice:
      "ItsYou.online refused to refresh the JWT: its refresh record is gone (30 days after last use) or another server signed it; get a new JWT from the credentials.",
  },
  {
    status: 401,
    purpose: "derive",
    advice:
      "ItsYou.online refused to derive a JWT: a derived JWT can only narrow the parent's scopes (ask only for scopes the parent JWT has), and the parent must be unexpired, signed by this server, and its refresh record alive.",
  },
  {
    status: 500,
    purpose: "derive",
    advice:
      "ItsYou.online failed on this parent JWT: the server answers 500 to a parent it cannot derive from (one without username, i.e. an organization's, or without refresh_token); derive only from a user's JWT asked for with refreshable: true.",
  },
  {
    status: 401,
    purpose: "jwt",
    advice:
      "ItsYou.online refused the access token or the scope: check that the token is not expired and that every requested scope is granted to it.",
  },
  { status: 401, advice: "The requested JWT scope is not covered by what the client was granted: check scope." },
  { status: 404, advice: "Check that baseUrl is the root of an ItsYou.online server (with its path prefix, if any)." },
  { status: 429, advice: "The server or a proxy in front of it is rate limiting; try again later." },
  {
    status: 408,
    advice:
      "The server or a proxy in front of it gave up waiting for the request; check the network, or try again later.",
  },
  { status: [500, 599], advice: "The server or a proxy in front of it failed; try again later." },
];

/** The error for an HTTP status; its message names the path that was requested (a base URL's prefix included). */
function httpError(call: Call, status: number, url: URL): ItsYouOnlineError {
  const what = `HTTP ${status}${STATUS_TEXT[status] ? ` ${STATUS_TEXT[status]}` : ""} from ${url.pathname}`;
  const advice =
    HTTP_ADVICE.find((row) =>
      (typeof row.status === "number" ? status === row.status : status >= row.status[0] && status <= row.status[1]) &&
      (row.purpose === undefined || row.purpose === call.purpose)
    )?.advice ??
      "This status is not part of the ItsYou.online protocol; check baseUrl.";
  return new ItsYouOnlineError("HTTP_ERROR", `${what}. ${advice}`, { status, endpoint: call.path });
}

/** A `Retry-After` (seconds or an HTTP date) in ms, from 0 to a year; anything longer counts as a year. */
function parseRetryAfter(header: string | null): number | undefined {
  if (header === null) return undefined;
  const value = header.trim();
  const ms = /^\d+$/.test(value) ? Number(value) * 1000 : Date.parse(value) - Date.now();
  return Number.isNaN(ms) ? undefined : Math.min(Math.max(0, ms), MAX_RETRY_AFTER_MS);
}

function sleep(ms: number, signal: AbortSignal | undefined, path: string): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) return reject(aborted(path));
    const onAbort = (): void => {
      clearTimeout(timer);
      reject(aborted(path));
    };
    const timer = setTimeout(() => {
      signal?.removeEventListener("abort", onAbort);
      resolve();
    }, ms);
    signal?.addEventListener("abort", onAbort, { once: true });
  });
}

/** Stops a body that will not be read; never awaited, so a `cancel()` that hangs holds nothing up. */
async function cancel(response: FetchResponse): Promise<void> {
  try {
    await response.body?.cancel();
  } catch {
    // The body is gone either way (a locked stream is cancelled through its reader).
  }
}

async function readCapped(
  response: FetchResponse,
  path: string,
  within: <T>(promise: Promise<T>) => Promise<T>,
): Promise<string> {
  const tooLarge = (): ItsYouOnlineError =>
    new ItsYouOnlineError(
      "INVALID_RESPONSE",
      `The response from ${path} is larger than ${MAX_BODY_BYTES} bytes, far more than any ItsYou.online answer; check baseUrl.`,
      { endpoint: path },
    );
  if (Number(response.headers.get("content-length")) > MAX_BODY_BYTES) throw tooLarge();
  if (!response.body) return "";
  const reader = (response.body as FetchBody).getReader();
  const chunks: Uint8Array[] = [];
  let size = 0;
  try {
    for (;;) {
      const { done, value } = await within(reader.read());
      if (done) break;
      size += value.byteLength;
      if (size > MAX_BODY_BYTES) throw tooLarge();
      chunks.push(value);
    }
  } catch (error) {
    // Not awaited: a reader that ignores cancel must not hold the attempt past its deadline.
    void Promise.resolve().then(() => reader.cancel()).catch(() => {});
    throw error;
  }
  const bytes = new Uint8Array(size);
  let offset = 0;
  for (const chunk of chunks) {
    bytes.set(chunk, offset);
    offset += chunk.byteLength;
  }
  return new TextDecoder().decode(bytes);
}

/** A one-line description of a thrown value, its causes included: every secret removed first, then shortened. */
function describe(error: unknown, secrets: string[]): string {
  const parts = causeChain(error).map((cause) => {
    if (!(cause instanceof Error)) return String(cause);
    const code = (cause as { code?: unknown }).code;
    return `${cause.message}${typeof code === "string" ? ` [${code}]` : ""}`;
  });
  return redact(parts.join(": "), secrets).replace(/\s+/g, " ").trim().slice(0, 500) || "unknown error";
}

/** Removes every secret from `text`, in each form it can take in a message: as is, URL- and form-encoded, JSON-escaped. */
function redact(text: string, secrets: string[]): string {
  let result = text;
  for (const secret of secrets) {
    const forms = [
      secret,
      encodeURIComponent(secret),
      new URLSearchParams({ s: secret }).toString().slice(2),
      JSON.stringify(secret).slice(1, -1),
    ];
    for (const form of new Set(forms)) if (form) result = result.split(form).join("[redacted]");
  }
  return result;
}

// ---------------------------------------------------------------------------
// Access tokens
// ---------------------------------------------------------------------------

/**
 * Options of {@linkcode getAccessToken}.
 *
 * @example
 * ```ts
 * import { getAccessToken } from "./mod.ts";
 * import type { GetAccessTokenOptions } from "./mod.ts";
 * const options: GetAccessTokenOptions = { clientId: "myorg", clientSecret: "…", retries: 0 };
 * await getAccessToken(options);
 * ```
 */
export interface GetAccessTokenOptions extends ClientCredentials, RequestOptions {}

/**
 * Gets an access token by the client credentials flow, with an organization
 * API key (that has "client credentials" enabled) or a user API key.
 *
 * @example
 * ```ts
 * import { getAccessToken } from "./mod.ts";
 * const token = await getAccessToken({
 *   clientId: "myorg",
 *   clientSecret: Deno.env.get("ITSYOU_CLIENT_SECRET")!,
 * });
 * console.log(token.scopes, token.expiresAt);
 * ```
 */
export async function getAccessToken(options: GetAccessTokenOptions): Promise<AccessToken> {
  const { clientId, clientSecret } = checkCredentials(options);
  const transport = checkRequestOptions(options as unknown as Record<string, unknown>);
  const answer = await send(transport, {
    purpose: "client_credentials",
    path: ACCESS_TOKEN_PATH,
    form: { grant_type: "client_credentials", client_id: clientId, client_secret: clientSecret },
    accept: "application/json",
    secrets: [clientSecret],
  });
  return parseTokenResponse(answer);
}

/**
 * Options of {@linkcode exchangeCode}.
 *
 * @example
 * ```ts
 * import { exchangeCode } from "./mod.ts";
 * import type { ExchangeCodeOptions } from "./mod.ts";
 * const options: ExchangeCodeOptions = {
 *   clientId: "myorg",
 *   clientSecret: "…",
 *   code: "code-from-the-callback",
 *   redirectUri: "https://app.example.com/callback",
 * };
 * await exchangeCode(options);
 * ```
 */
export interface ExchangeCodeOptions extends ClientCredentials, RequestOptions {
  /** The `code` from the callback; valid for 10 seconds. */
  code: string;
  /** Exactly the `redirectUri` given to {@linkcode authorizeUrl}. */
  redirectUri: string;
  /** The state from the callback; the server checks it when sent. */
  state?: string;
}

/**
 * Exchanges an authorization code (from {@linkcode parseCallback}) for an
 * access token. Codes are valid for 10 seconds.
 *
 * @example
 * ```ts
 * import { exchangeCode, parseCallback } from "./mod.ts";
 * declare const request: Request;
 * declare const expectedState: string;
 * const { code, state } = parseCallback(request.url, expectedState);
 * const token = await exchangeCode({
 *   clientId: "myorg",
 *   clientSecret: Deno.env.get("ITSYOU_CLIENT_SECRET")!,
 *   code,
 *   state,
 *   redirectUri: "https://app.example.com/callback",
 * });
 * console.log(token.username);
 * ```
 */
export async function exchangeCode(options: ExchangeCodeOptions): Promise<AccessToken> {
  const { clientId, clientSecret } = checkCredentials(options);
  const code = checkText("code", options.code);
  const redirectUri = checkRedirectUri(options.redirectUri);
  const state = options.state === undefined ? undefined : checkText("state", options.state);
  const transport = checkRequestOptions(options as unknown as Record<string, unknown>);
  const answer = await send(transport, {
    purpose: "authorization_code",
    path: ACCESS_TOKEN_PATH,
    form: {
      grant_type: "authorization_code",
      code,
      redirect_uri: redirectUri,
      state,
      client_id: clientId,
      client_secret: clientSecret,
    },
    accept: "application/json",
    secrets: [clientSecret, code],
  });
  return parseTokenResponse(answer);
}

function invalidResponse(answer: Answer, what: string): ItsYouOnlineError {
  return new ItsYouOnlineError(
    "INVALID_RESPONSE",
    `The answer from ${answer.url.origin} to ${answer.path} is not what ItsYou.online sends (${what}); check that the base URL points at an ItsYou.online server.`,
    { endpoint: answer.path },
  );
}

function parseTokenResponse(answer: Answer): AccessToken {
  let json: unknown;
  try {
    json = JSON.parse(answer.body);
  } catch {
    throw invalidResponse(answer, `expected JSON, got ${answer.contentType || "no content type"}`);
  }
  if (typeof json !== "object" || json === null || Array.isArray(json)) {
    throw invalidResponse(answer, "expected a JSON object");
  }
  const { access_token, id_token, token_type, scope, expires_in, info } = json as Record<string, unknown>;
  if (typeof access_token !== "string" || !/^[\w.~+/=-]{1,4096}$/.test(access_token)) {
    throw invalidResponse(answer, "access_token is missing or malformed");
  }
  if (typeof token_type !== "string" || token_type.toLowerCase() !== "bearer") {
    throw invalidResponse(answer, "token_type is not bearer");
  }
  if (
    !Number.isSafeInteger(expires_in) || (expires_in as number) < 0 || (expires_in as number) > MAX_EXPIRES_IN_SECONDS
  ) {
    throw invalidResponse(answer, "expires_in is not a whole number of seconds from 0 to 10 years");
  }
  if (scope !== undefined && typeof scope !== "string") throw invalidResponse(answer, "scope is not a string");
  const username = typeof info === "object" && info !== null ? (info as Record<string, unknown>).username : undefined;
  if (
    username !== undefined &&
    (typeof username !== "string" || hasControlCharacter(username) || username.length > 256)
  ) {
    throw invalidResponse(answer, "info.username is not a user name");
  }
  const token: AccessToken = {
    accessToken: access_token,
    tokenType: token_type,
    scopes: splitScopes(scope ?? ""),
    expiresIn: expires_in as number,
    expiresAt: new Date(Date.now() + (expires_in as number) * 1000),
  };
  if (typeof username === "string" && username !== "") token.username = username;
  if (id_token !== undefined) {
    try {
      decodeJwt(id_token as string);
    } catch {
      throw invalidResponse(answer, "id_token is not a JWT");
    }
    token.idToken = id_token as string;
  }
  return token;
}

/**
 * `"a,b,"` → `["a", "b"]`: the server ends scope lists with a comma, and joins a
 * user API key's scopes with a space (`"user:admin user:name"`).
 */
function splitScopes(scope: string): string[] {
  return scope.split(/[\s,]+/).filter((entry) => entry !== "");
}

// ---------------------------------------------------------------------------
// Authorization code flow
// ---------------------------------------------------------------------------

function checkRedirectUri(value: unknown): string {
  const text = checkText("redirectUri", value);
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    throw invalidArgument("redirectUri must be an absolute URL, e.g. https://app.example.com/callback.");
  }
  if (!url.host) throw invalidArgument("redirectUri must have a host.");
  if (/[%+]/.test(text)) {
    throw invalidArgument(
      "redirectUri must not contain '%' or '+': the server decodes redirect_uri twice, so such a URI would not match at exchange time.",
    );
  }
  return text;
}

/**
 * Options of {@linkcode authorizeUrl}.
 *
 * @example
 * ```ts
 * import { authorizeUrl, randomState } from "./mod.ts";
 * import type { AuthorizeUrlOptions } from "./mod.ts";
 * const options: AuthorizeUrlOptions = {
 *   clientId: "myorg",
 *   redirectUri: "https://app.example.com/callback",
 *   scope: "user:name",
 *   state: randomState(),
 * };
 * console.log(authorizeUrl(options).href);
 * ```
 */
export interface AuthorizeUrlOptions {
  /** The organization's globalid. */
  clientId: string;
  /** Where the user returns; must start with the API key's callback URL. */
  redirectUri: string;
  /** Scopes to ask the user for, e.g. `["user:name", "user:memberof:myorg"]`. */
  scope?: string | string[];
  /** An unguessable value, e.g. from {@linkcode randomState}. */
  state: string;
  /** The identity server; `https://itsyou.online` by default. */
  baseUrl?: string | URL;
}

/**
 * Builds the URL that sends a user to ItsYou.online to log in and consent.
 * The user comes back to `redirectUri` with `code` and `state`.
 *
 * @example
 * ```ts
 * import { authorizeUrl, randomState } from "./mod.ts";
 * const state = randomState();
 * const url = authorizeUrl({
 *   clientId: "myorg",
 *   redirectUri: "https://app.example.com/callback",
 *   scope: ["user:name", "user:memberof:myorg"],
 *   state,
 * });
 * console.log(url.href); // redirect the browser here; remember state
 * ```
 */
export function authorizeUrl(options: AuthorizeUrlOptions): URL {
  const checked = checkObject("options", options);
  const clientId = checkText("clientId", checked.clientId);
  const redirectUri = checkRedirectUri(checked.redirectUri);
  const scope = checkList("scope", checked.scope);
  const state = checkText("state", checked.state);
  const url = endpointUrl(checkBaseUrl(checked.baseUrl), AUTHORIZE_PATH);
  url.searchParams.set("response_type", "code");
  url.searchParams.set("client_id", clientId);
  url.searchParams.set("redirect_uri", redirectUri);
  if (scope.length > 0) url.searchParams.set("scope", scope.join(","));
  url.searchParams.set("state", state);
  return url;
}

/**
 * Returns an unguessable `state` (256 random bits, base64url) for
 * {@linkcode authorizeUrl}.
 *
 * @example
 * ```ts
 * import { randomState } from "./mod.ts";
 * const state = randomState(); // store it in the user's session
 * ```
 */
export function randomState(): string {
  return base64UrlEncode(crypto.getRandomValues(new Uint8Array(32)));
}

/**
 * What {@linkcode parseCallback} found in the redirect back from the server.
 *
 * @example
 * ```ts
 * import { parseCallback } from "./mod.ts";
 * import type { Callback } from "./mod.ts";
 * const callback: Callback = parseCallback("https://app.example.com/callback?code=c&state=s", "s");
 * console.log(callback.code);
 * ```
 */
export interface Callback {
  /** The authorization code, for {@linkcode exchangeCode}. */
  code: string;
  /** The state, equal to the expected one. */
  state: string;
}

/**
 * Reads `code` and `state` from the URL the user came back to, and checks the
 * state against the one sent to {@linkcode authorizeUrl}.
 *
 * Throws `STATE_MISMATCH` when the state differs (a forged or replayed
 * callback) and `INVALID_ARGUMENT` when the code is missing.
 *
 * @example
 * ```ts
 * import { parseCallback } from "./mod.ts";
 * const { code } = parseCallback(
 *   "https://app.example.com/callback?code=abc&state=xyz",
 *   "xyz",
 * );
 * ```
 */
export function parseCallback(url: string | URL, expectedState: string): Callback {
  const expected = checkText("expectedState", expectedState);
  let parsed: URL;
  try {
    parsed = new URL(url instanceof URL ? url.href : checkText("url", url, 65_536));
  } catch (error) {
    if (error instanceof ItsYouOnlineError) throw error;
    throw invalidArgument("url must be the absolute URL the user was redirected to.");
  }
  const state = parsed.searchParams.get("state") ?? "";
  if (!timingSafeEqual(state, expected)) {
    throw new ItsYouOnlineError(
      "STATE_MISMATCH",
      "The callback's state differs from the one sent to /v1/oauth/authorize: the callback may be forged or replayed; start the login again.",
    );
  }
  const code = parsed.searchParams.get("code");
  if (!code) {
    throw invalidArgument("The callback has no code: the user did not finish authorizing; start the login again.");
  }
  return { code: checkText("code", code), state };
}

function timingSafeEqual(a: string, b: string): boolean {
  const left = new TextEncoder().encode(a);
  const right = new TextEncoder().encode(b);
  let difference = left.length ^ right.length;
  for (let i = 0; i < left.length; i++) difference |= left[i] ^ (right[i % (right.length || 1)] ?? 0);
  return difference === 0;
}

// ---------------------------------------------------------------------------
// JWTs from the server
// ---------------------------------------------------------------------------

/**
 * What to put in a JWT.
 *
 * @example
 * ```ts
 * import { getJwt } from "./mod.ts";
 * import type { JwtOptions } from "./mod.ts";
 * const options: JwtOptions = { scope: ["user:memberof:myorg"], audience: "deploy-api", validity: 900 };
 * const jwt = await getJwt({ clientId: "myorg", clientSecret: "…" }, options);
 * ```
 */
export interface JwtOptions extends RequestOptions {
  /** Scopes to include, a list or a comma-separated string; all granted ones when absent. */
  scope?: string | string[];
  /** Audiences for the `aud` claim, a list or a comma-separated string. */
  audience?: string | string[];
  /** Lifetime in seconds (1 to 86400); the server can only shorten the default. */
  validity?: number;
  /** Ask for a refreshable JWT (the `offline_access` scope). */
  refreshable?: boolean;
  /** Store the values of user scopes in the JWT (`store_info`; user tokens only). */
  storeInfo?: boolean;
  /** Add the user's grants as `grant:` scopes (`add_grants`; user tokens only). */
  addGrants?: boolean;
}

/**
 * Gets a JWT. `from` is an access token (a string or an {@linkcode AccessToken})
 * or client credentials; credentials get the JWT in a single request.
 *
 * @example From credentials, in one round trip
 * ```ts
 * import { getJwt } from "./mod.ts";
 * const jwt = await getJwt(
 *   { clientId: "myorg", clientSecret: Deno.env.get("ITSYOU_CLIENT_SECRET")! },
 *   { audience: "deploy-api", validity: 900 },
 * );
 * ```
 *
 * @example From an access token
 * ```ts
 * import { getAccessToken, getJwt } from "./mod.ts";
 * const token = await getAccessToken({ clientId: "myorg", clientSecret: "…" });
 * const jwt = await getJwt(token, { scope: "user:memberof:myorg" });
 * ```
 */
export async function getJwt(
  from: string | AccessToken | ClientCredentials,
  options: JwtOptions = {},
): Promise<string> {
  return (await requestJwt(from, options)).jwt;
}

/** A JWT and what the token source needs to time its renewal. */
interface IssuedJwt {
  jwt: string;
  /** The JWT's `exp`, in milliseconds since the epoch. */
  expMs: number;
  /** The server's clock when it answered: the end of its `Date` header's second (ms since the epoch), if it sent one. */
  serverDateEndMs?: number;
}

/** The `scope` (with `offline_access` when `refreshable`) and `aud` fields of a JWT request, checked. */
function scopeAndAudience(checked: Record<string, unknown>): { scope?: string; aud?: string } {
  const scopes = checkList("scope", checked.scope);
  if (checkBoolean("refreshable", checked.refreshable) && !scopes.includes("offline_access")) {
    scopes.push("offline_access");
  }
  const audiences = checkList("audience", checked.audience);
  return {
    scope: scopes.length > 0 ? scopes.join(",") : undefined,
    aud: audiences.length > 0 ? audiences.join(",") : undefined,
  };
}

/** A JWT from client credentials or from an access token: what getJwt() and the token source call. */
function requestJwt(from: string | AccessToken | ClientCredentials, options: JwtOptions): Promise<IssuedJwt> {
  const checked = checkObject("options", options);
  const form = {
    ...scopeAndAudience(checked),
    validity: checkValidity(checked.validity)?.toString(),
    store_info: checkBoolean("storeInfo", checked.storeInfo) ? "true" : undefined,
    add_grants: checkBoolean("addGrants", checked.addGrants) ? "true" : undefined,
  };
  let call: Call;
  if (typeof from === "object" && from !== null && "clientId" in from) {
    call = jwtFromCredentials(checkCredentials(from), form);
  } else {
    const accessToken = typeof from === "object" && from !== null ? (from as AccessToken).accessToken : from;
    call = jwtFromAccessToken(checkHeaderText("the access token", accessToken, MAX_TEXT_LENGTH), form);
  }
  return send(checkRequestOptions(checked), call).then(jwtFromAnswer);
}

/** The request for a JWT in one round trip: client credentials with `response_type=id_token` answer with a JWT. */
function jwtFromCredentials({ clientId, clientSecret }: ClientCredentials, form: Call["form"]): Call {
  return {
    purpose: "client_credentials",
    path: ACCESS_TOKEN_PATH,
    form: {
      grant_type: "client_credentials",
      client_id: clientId,
      client_secret: clientSecret,
      response_type: "id_token",
      ...form,
    },
    accept: "application/jwt",
    secrets: [clientSecret],
  };
}

/** The request for a JWT from an access token: `/v1/oauth/jwt` with it in the `Authorization: token` header. */
function jwtFromAccessToken(accessToken: string, form: Call["form"]): Call {
  return {
    purpose: "jwt",
    path: JWT_PATH,
    form,
    authorization: `token ${accessToken}`,
    accept: "application/jwt",
    secrets: [accessToken],
  };
}

/**
 * Options of {@linkcode refreshJwt}.
 *
 * @example
 * ```ts
 * import { refreshJwt } from "./mod.ts";
 * import type { RefreshJwtOptions } from "./mod.ts";
 * declare const refreshableJwt: string;
 * const options: RefreshJwtOptions = { validity: 3600 };
 * const renewed = await refreshJwt(refreshableJwt, options);
 * ```
 */
export interface RefreshJwtOptions extends RequestOptions {
  /** Lifetime of the new JWT in seconds (1 to 86400); 24 hours by default. */
  validity?: number;
}

/**
 * Gets a fresh JWT for a refreshable one (one asked for with
 * `refreshable: true`), even after it expired. The scopes are the stored ones;
 * the lifetime is 24 hours unless `validity` shortens it.
 *
 * @example
 * ```ts
 * import { getJwt, refreshJwt } from "./mod.ts";
 * const jwt = await getJwt({ clientId: "myorg", clientSecret: "…" }, { refreshable: true });
 * const renewed = await refreshJwt(jwt, { validity: 3600 });
 * ```
 */
export async function refreshJwt(jwt: string, options: RefreshJwtOptions = {}): Promise<string> {
  return (await requestRefresh(jwt, options)).jwt;
}

async function requestRefresh(jwt: string, options: RefreshJwtOptions): Promise<IssuedJwt> {
  const checked = checkObject("options", options);
  const claims = decodeJwt(jwt);
  if (typeof claims.refresh_token !== "string" || claims.refresh_token === "") {
    throw new ItsYouOnlineError(
      "NOT_REFRESHABLE",
      "This JWT has no refresh_token claim, so it cannot be refreshed; ask for it with refreshable: true (the offline_access scope).",
    );
  }
  const validity = checkValidity(checked.validity);
  const transport = checkRequestOptions(checked);
  const answer = await send(transport, {
    purpose: "refresh",
    path: REFRESH_PATH,
    form: { validity: validity?.toString() },
    authorization: `bearer ${jwt}`,
    accept: "application/jwt",
    secrets: [jwt, claims.refresh_token],
  });
  return jwtFromAnswer(answer);
}

/**
 * Options of {@linkcode deriveJwt}.
 *
 * @example
 * ```ts
 * import { deriveJwt } from "./mod.ts";
 * import type { DeriveJwtOptions } from "./mod.ts";
 * declare const userJwt: string;
 * const options: DeriveJwtOptions = { audience: "billing-api", scope: "user:name", validity: 300 };
 * const forBilling = await deriveJwt(userJwt, options);
 * ```
 */
export interface DeriveJwtOptions extends RequestOptions {
  /**
   * Scopes for the derived JWT, a list or a comma-separated string; each must
   * be covered by the parent's, and a `user:memberof:` scope must be one the
   * parent holds exactly. Without it the server gives `scope: []`.
   */
  scope?: string | string[];
  /** Audiences for the derived JWT's `aud` claim; it does not inherit the parent's. */
  audience?: string | string[];
  /**
   * Lifetime in seconds, at most the parent's remaining life; the parent's
   * remaining life when absent (never the server's default of 24 hours).
   */
  validity?: number;
}

/**
 * Derives a new JWT from a user's JWT (delegation): a service that received a
 * user's JWT asks for one for another audience, with the same or fewer
 * scopes, to call the next service on the user's behalf, without any
 * credentials. It sends `Authorization: bearer <parentJwt>` to
 * `/v1/oauth/jwt`.
 *
 * What ItsYou.online allows, and what this function adds:
 * - Only a **user's** JWT that carries a `refresh_token` (asked for with
 *   `refreshable: true`) can be a parent: the server answers 500 to an
 *   organization's JWT or a parent without `refresh_token`. Both are refused
 *   here before sending, with `INVALID_ARGUMENT`; an expired parent with
 *   `JWT_EXPIRED` (refresh it first with {@linkcode refreshJwt}).
 * - Scopes can only narrow (a wider one is a 401). The derived JWT's `aud` is
 *   only what you ask for; its `globalid` claim is `null` ({@linkcode isDerivedJwt}).
 * - **No forged membership.** The server does not check membership on
 *   delegation: it would grant `user:memberof:anyorg` to any user whose parent
 *   JWT has `user:admin`, and `user:memberof:myorg-prod` to a parent holding
 *   `user:memberof:myorg` (it compares by prefix). This function asks only for
 *   `user:memberof:` scopes the parent holds exactly, and
 *   {@linkcode verifyJwt} does not accept membership from a derived JWT.
 * - **Never refreshable.** Whoever holds a refreshable JWT can renew it for 30
 *   days, after its parent expired; so this function never asks for one
 *   (`offline_access` is refused). Send a service a derived, short JWT, never
 *   the refreshable one.
 * - **A derived JWT never outlives its parent.** The server would give it 24
 *   hours from now whatever the parent's life, so a 10-minute JWT could become
 *   a 24-hour one. This function asks for the parent's remaining life when
 *   `validity` is absent, refuses a longer `validity`, and, when the server's
 *   clock (its `Date` header) runs ahead of the local one so that the derived
 *   JWT would outlive the parent anyway, asks once more by the server's clock.
 *
 * @example A service that received a user's JWT calls the next one
 * ```ts
 * import { deriveJwt, verifyJwt } from "./mod.ts";
 * declare const request: Request;
 * const parent = request.headers.get("authorization")?.replace(/^bearer /i, "") ?? "";
 * await verifyJwt(parent, { audience: "orders-api", scope: "user:name" });
 * const forBilling = await deriveJwt(parent, { audience: "billing-api", scope: "user:name" });
 * await fetch("https://billing.example.com/invoices", { headers: { authorization: `bearer ${forBilling}` } });
 * ```
 */
export async function deriveJwt(parentJwt: string, options: DeriveJwtOptions = {}): Promise<string> {
  const checked = checkObject("options", options);
  const parent = checkParent(parentJwt);
  const fields = derivedScopeAndAudience(checked, parent);
  const asked = checkValidity(checked.validity);
  const transport = checkRequestOptions(checked);
  return (await deriveWithinParent(transport, parent, fields, asked)).jwt;
}

/** A JWT delegation can start from: a user's, refreshable, with an `exp`. */
interface Parent {
  jwt: string;
  refreshToken: string;
  /** Its `exp`, in milliseconds since the epoch. */
  expMs: number;
  scope: string[];
}

function checkParent(jwt: string): Parent {
  const claims = decodeJwt(jwt);
  if (typeof claims.username !== "string" || claims.username === "") {
    throw invalidArgument(
      "The parent JWT is not a user's (it has no username; an organization's JWT, say): ItsYou.online derives JWTs only from a user's JWT. For an organization, get a new JWT from its credentials with the audience you need: getJwt({ clientId, clientSecret }, { audience }).",
    );
  }
  if (typeof claims.refresh_token !== "string" || claims.refresh_token === "") {
    throw invalidArgument(
      "The parent JWT has no refresh_token: ItsYou.online derives JWTs only from a refreshable parent (it answers 500 otherwise). Ask for the parent JWT with refreshable: true (the offline_access scope).",
    );
  }
  if (!isJwtTime(claims.exp)) throw jwtInvalid("The parent JWT's exp claim is missing or out of range.");
  const scope = isStringList(claims.scope) ? claims.scope : [];
  return { jwt, refreshToken: claims.refresh_token, expMs: claims.exp * 1000, scope };
}

/**
 * The `scope` and `aud` a derived JWT is asked for. The server grants any scope to a derived JWT, so this refuses
 * a `user:memberof:` scope the parent does not hold exactly, and a refreshable JWT, which would outlive its parent.
 */
function derivedScopeAndAudience(checked: Record<string, unknown>, parent: Parent): { scope?: string; aud?: string } {
  const fields = scopeAndAudience({ ...checked, refreshable: undefined });
  const scopes = fields.scope?.split(",") ?? [];
  if (checkBoolean("refreshable", checked.refreshable) || scopes.includes("offline_access")) {
    throw invalidArgument(
      "deriveJwt does not make refreshable JWTs (refreshable, offline_access): whoever holds one can renew it for 30 days, after its parent expired. Derive a short JWT for each service instead.",
    );
  }
  const notHeld = scopes.find((scope) => scope.startsWith(MEMBERSHIP_SCOPE) && !parent.scope.includes(scope));
  if (notHeld !== undefined) {
    throw invalidArgument(
      `The parent JWT does not hold ${
        JSON.stringify(notHeld)
      }: ItsYou.online does not check membership when it derives a JWT, so deriveJwt asks only for user:memberof: scopes the parent holds exactly. Leave it out, or get a JWT with it from the user's own credentials or login (getJwt).`,
    );
  }
  return fields;
}

/**
 * The derived JWT, for `asked` seconds or what the parent has left; asked again for what is left by the server's
 * clock when that runs ahead of ours, and refused if it would still outlive its parent.
 */
async function deriveWithinParent(
  transport: Transport,
  parent: Parent,
  fields: { scope?: string; aud?: string },
  asked: number | undefined,
): Promise<IssuedJwt> {
  /** Whole seconds the parent has left at `now` (ms). */
  const remaining = (now: number): number => Math.floor((parent.expMs - now) / 1000);
  const expiredAt = new Date(parent.expMs).toISOString();
  const left = remaining(Date.now());
  if (left < 1) {
    throw new ItsYouOnlineError(
      "JWT_EXPIRED",
      `The parent JWT expired at ${expiredAt}; refresh it first (refreshJwt), then derive from the refreshed JWT.`,
    );
  }
  if (asked !== undefined && asked > left) {
    throw invalidArgument(
      `validity (${asked} s) is longer than the parent JWT's remaining life (${left} s): a derived JWT never outlives its parent; ask for ${left} s or less, or leave validity out.`,
    );
  }
  const derive = (validity: number): Promise<IssuedJwt> =>
    send(transport, {
      purpose: "derive",
      path: JWT_PATH,
      form: { ...fields, validity: String(validity) },
      authorization: `bearer ${parent.jwt}`,
      accept: "application/jwt",
      secrets: [parent.jwt, parent.refreshToken],
    }).then(jwtFromAnswer);
  let issued = await derive(asked ?? left);
  if (issued.expMs > parent.expMs && issued.serverDateEndMs !== undefined) {
    // The server's clock runs ahead of ours: ask again for what is left by its clock (serverDateEndMs is the end of its Date's second).
    const leftByServer = remaining(issued.serverDateEndMs);
    if (leftByServer < 1) {
      throw new ItsYouOnlineError(
        "JWT_EXPIRED",
        `By the server's clock the parent JWT expired at ${expiredAt}; refresh it first (refreshJwt).`,
      );
    }
    issued = await derive(Math.min(asked ?? leftByServer, leftByServer));
  }
  if (issued.expMs > parent.expMs) {
    throw new ItsYouOnlineError(
      "INVALID_RESPONSE",
      "The derived JWT would outlive its parent (the server's clock differs from this one and its answer has no usable Date header); it was not used. Check the clocks, or pass a shorter validity.",
      { endpoint: JWT_PATH },
    );
  }
  return issued;
}

function jwtFromAnswer(answer: Answer): IssuedJwt {
  let jwt = answer.body.trim();
  if (answer.contentType.toLowerCase().startsWith("application/json")) {
    try {
      jwt = String((JSON.parse(answer.body) as Record<string, unknown>).access_token ?? "");
    } catch {
      throw invalidResponse(answer, "expected a JWT, got malformed JSON");
    }
  }
  let claims: JwtClaims;
  try {
    claims = decodeJwt(jwt);
  } catch {
    throw invalidResponse(answer, `expected a JWT, got ${answer.contentType || "no content type"} that is not one`);
  }
  if (!isJwtTime(claims.exp)) throw invalidResponse(answer, "the JWT's exp is missing or out of range");
  const wrongClaim = wronglyTypedClaim(claims);
  if (wrongClaim) throw invalidResponse(answer, `the JWT's ${wrongClaim}`);
  // A Date header counts whole seconds: take the end of its second, so the life is never overestimated.
  return {
    jwt,
    expMs: claims.exp * 1000,
    serverDateEndMs: answer.serverTime === undefined ? undefined : answer.serverTime + 1000,
  };
}

const isString = (value: unknown): value is string => typeof value === "string";
const isStringList = (value: unknown): value is string[] => Array.isArray(value) && value.every(isString);

/** The claims a program reads, by the types ItsYou.online gives them; the first that differs, described. */
function wronglyTypedClaim(claims: JwtClaims): string | undefined {
  const types: [string, string, (value: unknown) => boolean][] = [
    ["iss", "a string", isString],
    ["azp", "a string", isString],
    ["username", "a string", isString],
    ["globalid", "a string or null", (value) => value === null || isString(value)],
    ["scope", "a list of strings", isStringList],
    ["aud", "a string or a list of strings", (value) => isString(value) || isStringList(value)],
    ["refresh_token", "a string", isString],
    ["iat", "a number", isJwtTime],
    ["nbf", "a number", isJwtTime],
  ];
  for (const [claim, type, check] of types) {
    if (claims[claim] !== undefined && !check(claims[claim])) return `${claim} claim is not ${type}`;
  }
  return undefined;
}

/** A JWT time (seconds since the epoch) that a `Date` can hold, from 1970 on. */
function isJwtTime(value: unknown): value is number {
  return typeof value === "number" && value >= 0 && value <= MAX_JWT_TIME_SECONDS;
}

// ---------------------------------------------------------------------------
// JWT decoding and verification
// ---------------------------------------------------------------------------

function jwtInvalid(message: string): ItsYouOnlineError {
  return new ItsYouOnlineError("JWT_INVALID", message);
}

interface DecodedJwt {
  header: Record<string, unknown>;
  claims: JwtClaims;
  signature: Uint8Array<ArrayBuffer>;
  signingInput: string;
}

function decodeParts(jwt: unknown): DecodedJwt {
  if (typeof jwt !== "string") throw jwtInvalid(`The JWT must be a string, not ${jwt === null ? "null" : typeof jwt}.`);
  if (jwt.length > MAX_JWT_LENGTH) {
    throw jwtInvalid(`The JWT is longer than ${MAX_JWT_LENGTH} characters; no ItsYou.online JWT is.`);
  }
  const parts = jwt.split(".");
  if (parts.length !== 3) {
    throw jwtInvalid(
      `The JWT has ${parts.length} dot-separated parts; a compact JWT has exactly 3 (header.payload.signature).`,
    );
  }
  const [header, claims] = [decodeJson(parts[0], "header"), decodeJson(parts[1], "payload")];
  return {
    header,
    claims: claims as JwtClaims,
    signature: base64UrlDecode(parts[2], "signature"),
    signingInput: `${parts[0]}.${parts[1]}`,
  };
}

function decodeJson(part: string, what: string): Record<string, unknown> {
  let value: unknown;
  try {
    value = JSON.parse(new TextDecoder("utf-8", { fatal: true }).decode(base64UrlDecode(part, what)));
  } catch (error) {
    if (error instanceof ItsYouOnlineError) throw error;
    throw jwtInvalid(`The JWT's ${what} is not UTF-8 JSON.`);
  }
  if (typeof value !== "object" || value === null || Array.isArray(value)) {
    throw jwtInvalid(`The JWT's ${what} is not a JSON object.`);
  }
  return value as Record<string, unknown>;
}

function base64UrlDecode(text: string, what: string): Uint8Array<ArrayBuffer> {
  if (!/^[A-Za-z0-9_-]*$/.test(text) || text.length % 4 === 1) {
    throw jwtInvalid(`The JWT's ${what} is not base64url.`);
  }
  const binary = atob(text.replace(/-/g, "+").replace(/_/g, "/") + "=".repeat((4 - (text.length % 4)) % 4));
  const bytes = new Uint8Array(binary.length);
  for (let i = 0; i < binary.length; i++) bytes[i] = binary.charCodeAt(i);
  return bytes;
}

function base64UrlEncode(bytes: Uint8Array): string {
  let binary = "";
  for (const byte of bytes) binary += String.fromCharCode(byte);
  return btoa(binary).replace(/\+/g, "-").replace(/\//g, "_").replace(/=+$/, "");
}

/**
 * Returns the claims of a JWT **without verifying it**: use it to read `exp`
 * or `refresh_token` of a JWT you got from the server yourself. To trust a
 * JWT someone sent you, use {@linkcode verifyJwt}.
 *
 * @example
 * ```ts
 * import { decodeJwt } from "./mod.ts";
 * declare const jwt: string;
 * const { exp, scope } = decodeJwt(jwt);
 * ```
 */
export function decodeJwt(jwt: string): JwtClaims {
  return decodeParts(jwt).claims;
}

const importedKeys = new Map<string, Promise<CryptoKey>>();

function importPublicKey(publicKey: unknown): Promise<CryptoKey> {
  if (typeof CryptoKey !== "undefined" && publicKey instanceof CryptoKey) {
    const algorithm = publicKey.algorithm as EcKeyAlgorithm;
    if (algorithm.name !== "ECDSA" || algorithm.namedCurve !== "P-384" || !publicKey.usages.includes("verify")) {
      return Promise.reject(invalidArgument("publicKey must be an ECDSA P-384 key usable for verify (ES384)."));
    }
    return Promise.resolve(publicKey);
  }
  if (typeof publicKey !== "string") {
    return Promise.reject(invalidArgument("publicKey must be a PEM string or a CryptoKey."));
  }
  let key = importedKeys.get(publicKey);
  if (!key) {
    const match = /^\s*-----BEGIN PUBLIC KEY-----([A-Za-z0-9+/=\s]+)-----END PUBLIC KEY-----\s*$/.exec(publicKey);
    const notAKey = (): ItsYouOnlineError =>
      invalidArgument("publicKey is not a PEM-encoded P-384 public key (-----BEGIN PUBLIC KEY-----).");
    if (!match) return Promise.reject(notAKey());
    let der: Uint8Array<ArrayBuffer>;
    try {
      der = Uint8Array.from(atob(match[1].replace(/\s+/g, "")), (char) => char.charCodeAt(0));
    } catch {
      return Promise.reject(notAKey());
    }
    key = crypto.subtle
      .importKey("spki", der, { name: "ECDSA", namedCurve: "P-384" }, false, ["verify"])
      .catch(() => {
        importedKeys.delete(publicKey);
        throw notAKey();
      });
    importedKeys.set(publicKey, key);
  }
  return key;
}

/** `audience` or `scope` of verifyJwt: one string, or a list; each entry compared exactly, never split. */
function checkExactList(name: string, value: unknown): string[] | undefined {
  if (value === undefined) return undefined;
  const list = typeof value === "string" ? [value] : value;
  if (!Array.isArray(list)) throw invalidArgument(`${name} must be a string or an array of strings.`);
  if (list.length === 0) throw invalidArgument(`${name} is empty.`);
  return list.map((entry) => checkText(`each entry of ${name}`, entry, 1024));
}

/**
 * Options of {@linkcode verifyJwt}.
 *
 * @example
 * ```ts
 * import { ITSYOU_ONLINE_STAGING_PUBLIC_KEY, verifyJwt } from "./mod.ts";
 * import type { VerifyJwtOptions } from "./mod.ts";
 * declare const jwt: string;
 * const staging: VerifyJwtOptions = { publicKey: ITSYOU_ONLINE_STAGING_PUBLIC_KEY, audience: "deploy-api" };
 * await verifyJwt(jwt, staging);
 * ```
 */
export interface VerifyJwtOptions {
  /**
   * PEM (SPKI) or `CryptoKey` of the signer; {@linkcode ITSYOU_ONLINE_PUBLIC_KEY}
   * by default. The key's type is what `crypto.subtle.importKey` returns, so it
   * is `CryptoKey` with the DOM library and Node's `webcrypto.CryptoKey` without.
   */
  publicKey?: string | Awaited<ReturnType<typeof crypto.subtle.importKey>>;
  /** Expected `iss`, `"itsyouonline"` by default. */
  issuer?: string;
  /**
   * This service's audience: `aud` must contain it (a string, compared
   * exactly) or one of them (a list). Without it, a JWT that has an `aud`
   * claim is refused, as RFC 7519 §4.1.3 requires of a service that is not
   * named there: every ItsYou.online JWT has the same issuer, so a JWT meant
   * for another service would otherwise work here too. See `anyAudience`.
   */
  audience?: string | string[];
  /**
   * Accept a JWT whatever its `aud` says (default `false`), for a program that
   * reads JWTs meant for others on purpose (a gateway, a debugging tool).
   */
  anyAudience?: boolean;
  /**
   * When set, the JWT's `scope` claim must contain every one of these scopes,
   * compared exactly as ItsYou.online writes them: `user:memberof:myorg`,
   * `organization:owner` (an organization's JWT from its own credentials),
   * `user:name`, `user:email`…
   *
   * A `user:memberof:` scope counts only where the server checked the
   * membership when it signed this JWT. It is not accepted from a JWT made by
   * delegation ({@linkcode isDerivedJwt}; see `trustDelegatedMembership`), nor
   * from one that can be refreshed (a `refresh_token` claim; see
   * `trustRefreshableMembership`). And ItsYou.online counts a member of a
   * suborganization (`myorg.guests`) as a member of its parent when the client
   * asks with `client_id=myorg`: to tell them apart, require the
   * suborganization you mean (`user:memberof:myorg.staff`), never only the
   * parent.
   */
  scope?: string | string[];
  /**
   * When set, the JWT's `scope` claim must contain at least one of these
   * (e.g. `["user:memberof:admins", "user:memberof:ops"]`), with the same
   * rules for `user:memberof:` as `scope`. Both may be set: then both hold.
   */
  anyScope?: string | string[];
  /**
   * Accept `user:memberof:` scopes from JWTs made by delegation (default
   * `false`). ItsYou.online (itsyouonline/identityserver up to at least
   * 333d788, the last release) grants a derived JWT any `user:memberof:`
   * scope its parent covers by prefix, without checking membership, so any
   * user can derive a JWT naming any organization. Set it only for a server
   * that checks membership on delegation.
   */
  trustDelegatedMembership?: boolean;
  /**
   * Accept `user:memberof:` scopes from JWTs that can be refreshed (default
   * `false`). ItsYou.online copies the scopes stored at first issue into every
   * refresh without checking them again, so a refreshable JWT keeps saying
   * `user:memberof:myorg` after the user left myorg, or myorg was deleted, for
   * as long as its holder refreshes it (30 days past the last use). Set it
   * only where that delay is acceptable.
   */
  trustRefreshableMembership?: boolean;
  /**
   * Seconds of clock skew allowed on `exp` and `nbf` (default 30). The server
   * writes whole seconds and its clock and this one are set apart by NTP at
   * best; 30 s covers a drifting virtual machine without keeping an expired
   * JWT alive for long. jose and express-jwt default to 0: pass 0 for that.
   */
  clockTolerance?: number;
  /** The time to check against, now by default. */
  now?: Date;
}

/**
 * Verifies an ES384 JWT and resolves to its claims: the signature (with
 * {@linkcode ITSYOU_ONLINE_PUBLIC_KEY} unless `publicKey` is given), `iss`,
 * `exp` (the current time must be before it, with 30 seconds of tolerance),
 * `nbf` and `iat` (numbers when present), `aud` (refused when present and no
 * `audience` is given), and, when given, `scope` and `anyScope`, with the
 * membership rules the options explain. Any `alg` other than ES384 is refused.
 * For an HTTP request, {@linkcode verifyRequest} does this and also gives the
 * answer to send.
 *
 * @example
 * ```ts
 * import { verifyJwt } from "./mod.ts";
 * declare const jwt: string;
 * const claims = await verifyJwt(jwt, { audience: "deploy-api", scope: "user:memberof:myorg.deployers" });
 * console.log(claims.username);
 * ```
 */
export async function verifyJwt(jwt: string, options: VerifyJwtOptions = {}): Promise<JwtClaims> {
  const { expected, key } = checkVerifyOptions(options);
  return await verifyWith(jwt, expected, key);
}

/** {@linkcode VerifyJwtOptions}, checked: the claims to hold a JWT to, and the key (a promise, imported once). */
function checkVerifyOptions(options: VerifyJwtOptions): { expected: ExpectedClaims; key: Promise<CryptoKey> } {
  const checked = checkObject("options", options);
  const tolerance = checked.clockTolerance ?? 30;
  if (typeof tolerance !== "number" || !Number.isFinite(tolerance) || tolerance < 0) {
    throw invalidArgument("clockTolerance must be a number of seconds, 0 or more.");
  }
  const now = checked.now ?? new Date();
  if (!(now instanceof Date) || Number.isNaN(now.getTime())) throw invalidArgument("now must be a valid Date.");
  const audiences = checkExactList("audience", checked.audience);
  const anyAudience = checkBoolean("anyAudience", checked.anyAudience);
  if (audiences && anyAudience) throw invalidArgument("audience and anyAudience exclude each other; pass one.");
  const expected: ExpectedClaims = {
    issuer: checked.issuer === undefined ? "itsyouonline" : checkText("issuer", checked.issuer),
    audiences,
    anyAudience,
    scopes: checkExactList("scope", checked.scope),
    anyScopes: checkExactList("anyScope", checked.anyScope),
    trustDelegatedMembership: checkBoolean("trustDelegatedMembership", checked.trustDelegatedMembership),
    trustRefreshableMembership: checkBoolean("trustRefreshableMembership", checked.trustRefreshableMembership),
    tolerance,
    now,
  };
  const key = importPublicKey(checked.publicKey ?? ITSYOU_ONLINE_PUBLIC_KEY);
  key.catch(() => {}); // thrown where it is awaited
  return { expected, key };
}

/** The JWT decoded (a malformed one fails before the key is awaited), its signature and claims checked. */
async function verifyWith(jwt: string, expected: ExpectedClaims, key: Promise<CryptoKey>): Promise<JwtClaims> {
  const decoded = decodeParts(jwt);
  await checkSignature(decoded, await key);
  checkClaims(decoded.claims, expected);
  return decoded.claims;
}

/** What {@linkcode verifyJwt} holds a JWT's claims to, its options checked. */
interface ExpectedClaims {
  issuer: string;
  audiences?: string[];
  anyAudience: boolean;
  scopes?: string[];
  anyScopes?: string[];
  trustDelegatedMembership: boolean;
  trustRefreshableMembership: boolean;
  /** Seconds. */
  tolerance: number;
  now: Date;
}

/** ES384 only, no `crit`, and a raw 96-byte signature that `key` verifies. */
async function checkSignature({ header, signature, signingInput }: DecodedJwt, key: CryptoKey): Promise<void> {
  if (header.alg !== "ES384") {
    throw jwtInvalid(
      `The JWT's alg is ${
        JSON.stringify(header.alg)?.slice(0, 20)
      }; only ES384 is accepted, as ItsYou.online signs with it.`,
    );
  }
  if (header.crit !== undefined) throw jwtInvalid("The JWT has a crit header, which is not supported.");
  const valid = signature.length === 96 &&
    await crypto.subtle.verify(
      { name: "ECDSA", hash: "SHA-384" },
      key,
      signature,
      new TextEncoder().encode(signingInput),
    );
  if (!valid) {
    throw new ItsYouOnlineError(
      "JWT_SIGNATURE_INVALID",
      "The JWT's signature does not match the public key: it was altered, or another server signed it (check publicKey).",
    );
  }
}

function claimInvalid(claim: string, message: string): ItsYouOnlineError {
  return new ItsYouOnlineError("JWT_CLAIM_INVALID", message, { claim });
}

/** RFC 7519's checks of `iss`, `exp`, `nbf`, `iat` and `aud`, then the scopes asked for. */
function checkClaims(claims: JwtClaims, expected: ExpectedClaims): asserts claims is JwtClaims & { exp: number } {
  if (claims.iss !== expected.issuer) {
    throw claimInvalid("iss", `The JWT's iss is not ${JSON.stringify(expected.issuer)}; check issuer.`);
  }
  if (!isJwtTime(claims.exp)) {
    throw claimInvalid("exp", "The JWT's exp claim is missing, not a number, or out of range.");
  }
  for (const claim of ["nbf", "iat"]) {
    if (claims[claim] !== undefined && !isJwtTime(claims[claim])) {
      throw claimInvalid(claim, `The JWT's ${claim} claim is not a number in range.`);
    }
  }
  const seconds = expected.now.getTime() / 1000;
  // RFC 7519 §4.1.4: the current time must be before exp (plus the tolerance).
  if (seconds >= claims.exp + expected.tolerance) {
    throw new ItsYouOnlineError(
      "JWT_EXPIRED",
      `The JWT expired at ${new Date(claims.exp * 1000).toISOString()}; get a new one (or refresh it).`,
    );
  }
  if (claims.nbf !== undefined && seconds < (claims.nbf as number) - expected.tolerance) {
    throw claimInvalid("nbf", "The JWT is not valid yet (nbf); check the clock.");
  }
  checkAudience(claims, expected);
  checkScopes(claims, expected);
}

/** RFC 7519 §4.1.3: a JWT with an `aud` is for the audiences it names, and no one else. */
function checkAudience(claims: JwtClaims, expected: ExpectedClaims): void {
  if (expected.anyAudience) return;
  const granted = typeof claims.aud === "string" ? [claims.aud] : Array.isArray(claims.aud) ? claims.aud : [];
  if (expected.audiences) {
    if (!expected.audiences.some((audience) => granted.includes(audience))) {
      throw claimInvalid("aud", "The JWT's aud does not contain the expected audience; check audience.");
    }
  } else if (claims.aud !== undefined) {
    throw claimInvalid(
      "aud",
      "The JWT is addressed to an audience (its aud claim), and no audience was given to check it against: a JWT meant for another service is refused. Pass this service's audience (audience), or anyAudience: true to accept any.",
    );
  }
}

/** Why this JWT's `user:memberof:` scopes prove nothing here, if they do not. */
function untrustedMembership(claims: JwtClaims, expected: ExpectedClaims): string | undefined {
  if (isDerivedJwt(claims) && !expected.trustDelegatedMembership) {
    return "The JWT was made by delegation (its globalid claim is null), and ItsYou.online does not check membership when it derives a JWT";
  }
  if (claims.refresh_token !== undefined && !expected.trustRefreshableMembership) {
    return "The JWT can be refreshed (it has a refresh_token claim), and ItsYou.online repeats the membership it stored at first issue on every refresh without checking it again, for 30 days past the last use";
  }
  return undefined;
}

/** `scope` (all of them) and `anyScope` (one of them), a `user:memberof:` scope counting only when trusted. */
function checkScopes(claims: JwtClaims, expected: ExpectedClaims): void {
  if (!expected.scopes && !expected.anyScopes) return;
  const granted = isStringList(claims.scope) ? claims.scope : [];
  const distrust = untrustedMembership(claims, expected);
  const untrusted = (scope: string): boolean => distrust !== undefined && scope.startsWith(MEMBERSHIP_SCOPE);
  const refuseMembership = (scope: string): never => {
    throw claimInvalid(
      "scope",
      `${distrust}, so its ${
        JSON.stringify(scope)
      } proves nothing. Ask the caller for a short JWT issued from the user's own credentials or login (not refreshable, not derived); trust such membership only knowingly (trustDelegatedMembership, trustRefreshableMembership).`,
    );
  };
  if (expected.scopes) {
    const missing = expected.scopes.find((scope) => !granted.includes(scope));
    if (missing !== undefined) {
      throw claimInvalid(
        "scope",
        `The JWT's scope claim does not contain ${
          JSON.stringify(missing)
        }; the token was issued without that scope (ask for it when getting the JWT).`,
      );
    }
    const membership = expected.scopes.find(untrusted);
    if (membership !== undefined) refuseMembership(membership);
  }
  if (expected.anyScopes) {
    const held = expected.anyScopes.filter((scope) => granted.includes(scope));
    if (held.length === 0) {
      throw claimInvalid(
        "scope",
        `The JWT's scope claim contains none of ${
          JSON.stringify(expected.anyScopes.join(" "))
        }; the token was issued without any of them (ask for one when getting the JWT).`,
      );
    }
    if (held.every(untrusted)) refuseMembership(held[0]);
  }
}

// ---------------------------------------------------------------------------
// The receiving side: a request's bearer token, verified, or the answer to send
// ---------------------------------------------------------------------------

/**
 * Options of {@linkcode verifyRequest}: those of {@linkcode verifyJwt}, and the realm to name.
 *
 * @example
 * ```ts
 * import { verifyRequest } from "./mod.ts";
 * import type { VerifyRequestOptions } from "./mod.ts";
 * declare const request: Request;
 * const options: VerifyRequestOptions = { audience: "orders-api", scope: "user:name", realm: "orders" };
 * const result = await verifyRequest(request, options);
 * ```
 */
export interface VerifyRequestOptions extends VerifyJwtOptions {
  /** The `realm` of the `WWW-Authenticate` challenge; none when absent. */
  realm?: string;
}

/**
 * What {@linkcode verifyRequest} found: the claims, or the answer to send, as
 * RFC 6750 §3 words it. `error` is the reason, for the log; `body` is JSON
 * with `error` (absent when the request had no credentials) and
 * `error_description`, which never holds the token.
 *
 * @example
 * ```ts
 * import { verifyRequest } from "./mod.ts";
 * import type { VerifiedRequest } from "./mod.ts";
 * declare const request: Request;
 * const result: VerifiedRequest = await verifyRequest(request, { audience: "orders-api" });
 * const response = result.ok
 *   ? Response.json({ hello: result.claims.username })
 *   : Response.json(result.body, result);
 * ```
 */
export type VerifiedRequest =
  | { ok: true; claims: JwtClaims }
  | {
    ok: false;
    /** 400 `invalid_request`, 401 (no credentials, or `invalid_token`), or 403 `insufficient_scope`. */
    status: 400 | 401 | 403;
    /** `www-authenticate`: the `Bearer` challenge; send it as it is. */
    headers: { "www-authenticate": string };
    body: { error?: "invalid_request" | "invalid_token" | "insufficient_scope"; error_description: string };
    /** Why, for the log: the verification's error (`JWT_…`), or `INVALID_REQUEST` for the header itself. */
    error: ItsYouOnlineError;
  };

/**
 * Verifies the bearer JWT of an HTTP request and resolves to its claims, or
 * to the answer RFC 6750 §3 says to send: `request` is the `Authorization`
 * header's value (what every framework gives), or anything with
 * `headers.get()` (a web `Request`).
 *
 * - No `Authorization`, or another scheme (`Basic …`): 401 with the bare
 *   challenge and no error code, as §3.1 asks when a request has no bearer
 *   credentials.
 * - `Bearer` without a token, with two, or a token that is not base64url
 *   text: 400 `invalid_request`.
 * - A JWT that is malformed, wrongly signed, expired, from another issuer or
 *   addressed to another audience: 401 `invalid_token`.
 * - A valid JWT without a required scope (or whose membership proves nothing,
 *   see {@linkcode VerifyJwtOptions.scope}): 403 `insufficient_scope`, with
 *   `scope="…"` naming what is required.
 *
 * The scheme is case-insensitive (`bearer` works). Wrong options (a malformed
 * `publicKey`, say) throw `INVALID_ARGUMENT`, even for a request without a
 * token: they are the service's fault, a 500.
 *
 * @example Deno, Bun and workers
 * ```ts
 * import { verifyRequest } from "./mod.ts";
 * Deno.serve(async (request) => {
 *   const auth = await verifyRequest(request, { audience: "orders-api", scope: "user:name" });
 *   if (!auth.ok) return Response.json(auth.body, auth);
 *   return Response.json({ subject: auth.claims.username });
 * });
 * ```
 *
 * @example Express (`req.headers.authorization`; Fastify and Hono alike)
 * ```ts
 * import { verifyRequest } from "./mod.ts";
 * declare const req: { headers: { authorization?: string } };
 * declare const res: { status(code: number): { set(headers: object): { json(body: unknown): void } } };
 * const auth = await verifyRequest(req.headers.authorization, { audience: "orders-api" });
 * if (!auth.ok) res.status(auth.status).set(auth.headers).json(auth.body);
 * ```
 */
export async function verifyRequest(
  request: string | null | undefined | { headers: { get(name: string): string | null } },
  options: VerifyRequestOptions,
): Promise<VerifiedRequest> {
  const checked = checkObject("options", options);
  const realm = checked.realm === undefined ? undefined : checkHeaderText("realm", checked.realm, 256);
  const { expected, key } = checkVerifyOptions(checked);
  // A wrong key is the service's fault, whatever the request holds: it throws before anything is answered.
  await key;
  const header: unknown = typeof request === "object" && request !== null
    ? typeof request.headers?.get === "function" ? request.headers.get("authorization") : request
    : request;
  if (header !== null && header !== undefined && typeof header !== "string") {
    throw invalidArgument("request must be the Authorization header's value, or have headers.get() (a Request).");
  }
  const challenge = (fields: Record<string, string>): string => {
    const all = realm === undefined ? fields : { realm, ...fields };
    const params = Object.entries(all).map(([name, value]) => `${name}="${challengeText(value)}"`);
    return params.length > 0 ? `Bearer ${params.join(", ")}` : "Bearer";
  };
  const [scheme, ...rest] = ((header as string | null | undefined) ?? "").trim().split(/ +/);
  if (scheme === "" || scheme.toLowerCase() !== "bearer") {
    const error = new ItsYouOnlineError(
      "INVALID_REQUEST",
      "The request has no bearer token; send Authorization: Bearer <an ItsYou.online JWT>.",
    );
    return refusal(401, { "www-authenticate": challenge({}) }, { error_description: error.message }, error);
  }
  if (rest.length !== 1 || !/^[\w.~+/-]+=*$/.test(rest[0])) {
    const error = new ItsYouOnlineError(
      "INVALID_REQUEST",
      rest.length === 0
        ? "The Authorization header says Bearer but holds no token; send Authorization: Bearer <an ItsYou.online JWT>."
        : "The Authorization header must hold exactly one bearer token (Bearer <JWT>), with no spaces or other characters in it.",
    );
    const description = error.message;
    return refusal(
      400,
      { "www-authenticate": challenge({ error: "invalid_request", error_description: description }) },
      { error: "invalid_request", error_description: description },
      error,
    );
  }
  try {
    return { ok: true, claims: await verifyWith(rest[0], expected, key) };
  } catch (error) {
    if (!(error instanceof ItsYouOnlineError) || error.code === "INVALID_ARGUMENT") throw error;
    const description = error.message;
    if (error.claim === "scope") {
      const required = [...expected.scopes ?? [], ...expected.anyScopes ?? []].join(" ");
      return refusal(
        403,
        {
          "www-authenticate": challenge({
            error: "insufficient_scope",
            error_description: description,
            scope: required,
          }),
        },
        { error: "insufficient_scope", error_description: description },
        error,
      );
    }
    return refusal(
      401,
      { "www-authenticate": challenge({ error: "invalid_token", error_description: description }) },
      { error: "invalid_token", error_description: description },
      error,
    );
  }
}

function refusal(
  status: 400 | 401 | 403,
  headers: { "www-authenticate": string },
  body: Extract<VerifiedRequest, { ok: false }>["body"],
  error: ItsYouOnlineError,
): VerifiedRequest {
  return { ok: false, status, headers, body, error };
}

/** A value of a challenge's quoted string, as RFC 6750 §3 allows: printable ASCII without `"` and `\`. */
function challengeText(text: string): string {
  return text.replace(/"/g, "'").replace(/\\/g, "/").replace(/[^\u0020-\u007e]/g, "?");
}

/**
 * Whether ItsYou.online made this JWT by delegation (from another JWT, as
 * {@linkcode deriveJwt} asks), or renewed one that it made so. Such a JWT has
 * a `globalid` claim whose value is `null`: the server copies the parent's
 * `globalid`, and a user's JWT has none (a JWT from credentials or an access
 * token has no `globalid` for a user, and a string for an organization); a
 * refresh keeps every claim but `scope` and `exp`.
 *
 * Its `user:memberof:` scopes were not checked by the server, so
 * {@linkcode verifyJwt} does not accept them by default.
 *
 * @example
 * ```ts
 * import { isDerivedJwt, verifyJwt } from "./mod.ts";
 * declare const jwt: string;
 * const claims = await verifyJwt(jwt, { audience: "orders-api" });
 * console.log(isDerivedJwt(claims) ? "on behalf of" : "as", claims.username);
 * ```
 */
export function isDerivedJwt(claims: JwtClaims): boolean {
  return typeof claims === "object" && claims !== null && Object.hasOwn(claims, "globalid") &&
    claims.globalid === null;
}

// ---------------------------------------------------------------------------
// A cached token source that renews in the background
// ---------------------------------------------------------------------------

/**
 * Options of {@linkcode createTokenSource}.
 *
 * @example
 * ```ts
 * import { createTokenSource } from "./mod.ts";
 * import type { TokenSourceOptions } from "./mod.ts";
 * const options: TokenSourceOptions = { clientId: "myorg", clientSecret: "…", refreshable: true, refreshBefore: 120 };
 * const tokens = createTokenSource(options);
 * ```
 */
export interface TokenSourceOptions extends ClientCredentials, RequestOptions {
  /** JWT scopes, a list or a comma-separated string; all granted ones when absent. */
  scope?: string | string[];
  /** JWT audiences, a list or a comma-separated string. */
  audience?: string | string[];
  /** JWT lifetime in seconds (1 to 86400); must be longer than `refreshBefore`. */
  validity?: number;
  /** Ask for refreshable JWTs, renewed through `/v1/oauth/jwt/refresh`. */
  refreshable?: boolean;
  /**
   * Renew when fewer than this many seconds remain (default 60). Only a token
   * that lives no longer than this (the server gave less than was asked for)
   * is renewed at half its life instead, so it is not fetched anew on every call.
   */
  refreshBefore?: number;
  /**
   * The clock, in milliseconds, for tests. By default renewals are timed on a
   * monotonic clock (`performance.now()`), so a step of the wall clock (NTP, a
   * resumed VM) neither serves an expired token nor renews early.
   */
  now?: () => number;
}

/**
 * What {@linkcode createTokenSource} returns.
 *
 * @example
 * ```ts
 * import { createTokenSource } from "./mod.ts";
 * import type { TokenSource } from "./mod.ts";
 * const tokens: TokenSource = createTokenSource({ clientId: "myorg", clientSecret: "…" });
 * const authorization = `bearer ${await tokens.jwt()}`;
 * ```
 */
export interface TokenSource {
  /**
   * The cached JWT, at once while it is valid; a new one once fewer than
   * `refreshBefore` seconds are left, fetched in the background (the call
   * that starts the renewal still gets the cached JWT). Waits only when
   * nothing valid is cached.
   */
  jwt(): Promise<string>;
  /** The cached access token, renewed the same way as {@linkcode TokenSource.jwt}. */
  accessToken(): Promise<AccessToken>;
  /** Drops what is cached, e.g. after a 401 from an API; the next call fetches anew. */
  invalidate(): void;
}

interface Cached<T> {
  value: T;
  /** When to renew it, on the source's clock. */
  renewAt: number;
  /** When it stops being valid, on the source's clock: until then it is handed out. */
  validUntil: number;
}

/**
 * How long the token source waits after failed renewals, doubling from `first` to `cap` (each wait drawn from its
 * upper half, so a fleet does not retry in step): a refusal (400, 401, 403: the credentials or the refresh record
 * are wrong, and asking again will not fix them) waits longer than a failure that can heal (the network, a 5xx).
 */
const RENEWAL_BACKOFF = {
  failure: { firstMs: 1_000, capMs: 60_000 },
  refusal: { firstMs: 5_000, capMs: 120_000 },
} as const;

/**
 * Creates a token source for a long-running program: it caches the JWT and the
 * access token, renews them `refreshBefore` seconds before they expire, and
 * shares one request between concurrent callers (a thousand simultaneous
 * `jwt()` calls make one request).
 *
 * A JWT's life is timed by the server's clock (its `Date` header) when that is
 * plausible (it implies a remaining life between 0 and what was asked for),
 * by the local clock otherwise, and never past the `validity` asked for (24
 * hours by default). Renewals are timed on a monotonic clock.
 *
 * A refreshable JWT is renewed through `/v1/oauth/jwt/refresh`, falling back to
 * the credentials when its refresh record is gone (401). A renewal never holds
 * up a caller while the cached token is valid: the caller gets the cached
 * token at once and the renewal runs in the background, one at a time; only a
 * caller with nothing valid cached waits for it.
 *
 * After a failed renewal the next one is paced, whether or not a valid token
 * is cached: it is tried on a call after a backoff that doubles from 1 s to
 * 60 s for failures that can heal (the network, a 5xx), and from 5 s to 2
 * minutes for refusals (400, 401, 403: wrong credentials, hammering will not
 * fix them), each wait drawn from the upper half of its step; the steps start
 * afresh when the kind of failure changes. Meanwhile a valid cached token is
 * handed out; with nothing valid left, a call fails at
 * once with the last failure, whose message says when the next attempt will
 * be, and sends nothing. A server that comes back is used within one step;
 * `invalidate()` starts afresh.
 *
 * @example
 * ```ts
 * import { createTokenSource } from "./mod.ts";
 * const tokens = createTokenSource({
 *   clientId: "myorg",
 *   clientSecret: Deno.env.get("ITSYOU_CLIENT_SECRET")!,
 *   audience: "deploy-api",
 * });
 * const response = await fetch("https://deploy.example.com/releases", {
 *   headers: { authorization: `bearer ${await tokens.jwt()}` },
 * });
 * if (response.status === 401) tokens.invalidate();
 * ```
 */
export function createTokenSource(options: TokenSourceOptions): TokenSource {
  const { credentials, requestOptions, jwtOptions, validity, marginMs, clock, wallClock } = checkTokenSourceOptions(
    options,
  );
  /** The longest life a JWT can have: what was asked for, or the server's 24 hours. */
  const asked = (validity ?? MAX_VALIDITY_SECONDS) * 1000;

  /** Something that lives `life` ms from now: renewed `refreshBefore` ahead, or at half-life when it lives no longer. */
  const cached = <T>(value: T, life: number): Cached<T> => {
    const received = clock();
    return { value, renewAt: received + (life > marginMs ? life - marginMs : life / 2), validUntil: received + life };
  };

  async function newJwt(previous: string | undefined): Promise<Cached<string>> {
    let issued: IssuedJwt | undefined;
    if (previous !== undefined && typeof decodeJwt(previous).refresh_token === "string") {
      try {
        issued = await requestRefresh(previous, { ...requestOptions, validity });
      } catch (error) {
        // 401: the refresh record is gone (30 days unused, or revoked); start over from the credentials.
        if (!(error instanceof ItsYouOnlineError && error.status === 401)) throw error;
      }
    }
    issued ??= await requestJwt(credentials, jwtOptions);
    return cached(issued.jwt, jwtLife(issued, wallClock(), asked));
  }

  async function newAccessToken(): Promise<Cached<AccessToken>> {
    const token = await getAccessToken({ ...credentials, ...requestOptions });
    const life = token.expiresIn * 1000;
    return cached({ ...token, expiresAt: new Date(wallClock() + life) }, life);
  }

  const jwt = renewingCache(clock, wallClock, newJwt);
  const accessToken = renewingCache(clock, wallClock, newAccessToken);
  return {
    jwt: () => jwt.get(),
    accessToken: () => accessToken.get(),
    invalidate: () => {
      jwt.drop();
      accessToken.drop();
    },
  };
}

/** {@linkcode TokenSourceOptions}, checked once: what the token source's two caches work from. */
interface TokenSourceSettings {
  credentials: ClientCredentials;
  requestOptions: RequestOptions;
  jwtOptions: JwtOptions;
  validity?: number;
  /** `refreshBefore`, in ms. */
  marginMs: number;
  /** Times renewals: monotonic unless a test gives a clock. */
  clock: () => number;
  /** The wall clock, for what must be compared with a JWT's `exp` or shown as a date. */
  wallClock: () => number;
}

function checkTokenSourceOptions(options: TokenSourceOptions): TokenSourceSettings {
  const checked = checkObject("options", options);
  const credentials = checkCredentials(checked);
  checkRequestOptions(checked);
  if (checked.now !== undefined && typeof checked.now !== "function") {
    throw invalidArgument("now must be a function returning milliseconds, like Date.now.");
  }
  const given = checked.now as (() => number) | undefined;
  const refreshBefore = checked.refreshBefore ?? 60;
  if (typeof refreshBefore !== "number" || !Number.isFinite(refreshBefore) || refreshBefore < 0) {
    throw invalidArgument("refreshBefore must be a number of seconds, 0 or more.");
  }
  const validity = checkValidity(checked.validity);
  if (validity !== undefined && validity <= refreshBefore) {
    throw invalidArgument(
      `validity (${validity} s) must be longer than refreshBefore (${refreshBefore} s), or every call would fetch a new JWT.`,
    );
  }
  const { baseUrl, fetch, signal, timeout, retries, userAgent } = checked as RequestOptions;
  const requestOptions: RequestOptions = { baseUrl, fetch, signal, timeout, retries, userAgent };
  const jwtOptions: JwtOptions = {
    ...requestOptions,
    scope: checkList("scope", checked.scope),
    audience: checkList("audience", checked.audience),
    validity,
    refreshable: checkBoolean("refreshable", checked.refreshable),
  };
  return {
    credentials,
    requestOptions,
    jwtOptions,
    validity,
    marginMs: refreshBefore * 1000,
    clock: given ?? (() => performance.now()),
    wallClock: given ?? Date.now,
  };
}

/**
 * A JWT's remaining life in ms: by the server's `Date` when what that implies
 * is plausible (more than 0, at most what was asked for), else by the local
 * clock; never more than was asked for, never less than 0.
 */
function jwtLife(issued: IssuedJwt, localNow: number, asked: number): number {
  const byServer = issued.serverDateEndMs === undefined ? NaN : issued.expMs - issued.serverDateEndMs;
  const life = byServer > 0 && byServer <= asked ? byServer : issued.expMs - localNow;
  return Math.min(Math.max(life, 0), asked);
}

/**
 * A cached value, renewed in the background: while it is valid, callers get it at once and the renewal (one at a
 * time) runs behind them; only callers with nothing valid left wait for a renewal. After a failed renewal, the next
 * one waits for a backoff ({@linkcode RENEWAL_BACKOFF}), whether or not a valid value is cached: meanwhile a valid
 * value is handed out, and a caller with nothing valid gets the last failure at once, saying when the next attempt
 * will be. Nothing is kept per call: one error per failure, shared by every caller it is given to.
 */
function renewingCache<T>(
  clock: () => number,
  wallClock: () => number,
  fetchValue: (previous: T | undefined) => Promise<Cached<T>>,
): { get(): Promise<T>; drop(): void } {
  let cached: Cached<T> | undefined;
  let pending: Promise<T> | undefined;
  let generation = 0;
  /**
   * Failed renewals in a row, and how many of the last ones were of the same kind (a refusal after a run of
   * network failures starts the refusal's steps from their first); the time (on `clock`) before which none is
   * tried again, and the error meanwhile.
   */
  let failures = 0;
  let streak: { kind: keyof typeof RENEWAL_BACKOFF; count: number } = { kind: "failure", count: 0 };
  let retryAt = -Infinity;
  let paced: unknown;
  const valid = (entry: Cached<T> | undefined): entry is Cached<T> => entry !== undefined && clock() < entry.validUntil;
  function failed(error: unknown): void {
    failures++;
    const refused = error instanceof ItsYouOnlineError && [400, 401, 403].includes(error.status ?? 0);
    const kind = refused ? "refusal" : "failure";
    streak = { kind, count: streak.kind === kind ? streak.count + 1 : 1 };
    const { firstMs, capMs } = RENEWAL_BACKOFF[kind];
    const step = Math.min(capMs, firstMs * 2 ** Math.min(streak.count - 1, 30));
    const wait = step / 2 + Math.random() * (step / 2);
    retryAt = clock() + wait;
    paced = error instanceof ItsYouOnlineError
      ? new ItsYouOnlineError(
        error.code,
        `${error.message} Nothing valid is cached, and after ${failures} failed renewal${
          failures === 1 ? "" : "s"
        } the token source tries again from ${
          new Date(wallClock() + wait).toISOString()
        } on; until then every call fails at once with this error (invalidate() tries at the next call).`,
        { status: error.status, endpoint: error.endpoint },
      )
      : error;
  }
  function renew(): Promise<T> {
    if (pending) return pending;
    const started = generation;
    const previous = cached;
    const request = fetchValue(previous?.value).then(
      (fresh) => {
        if (started === generation) {
          cached = fresh;
          failures = 0;
          streak = { kind: "failure", count: 0 };
          retryAt = -Infinity;
          paced = undefined;
        }
        return fresh.value;
      },
      (error: unknown) => {
        if (started !== generation) throw error;
        failed(error);
        if (!valid(previous)) throw error;
        return previous.value;
      },
    ).finally(() => {
      if (pending === request) pending = undefined;
    });
    pending = request;
    return request;
  }
  return {
    get(): Promise<T> {
      const now = clock();
      if (!valid(cached)) {
        if (pending || now >= retryAt) return renew();
        return Promise.reject(paced);
      }
      if (now >= cached.renewAt && now >= retryAt) renew().catch(() => {});
      return Promise.resolve(cached.value);
    },
    drop(): void {
      generation++;
      cached = undefined;
      pending = undefined;
      failures = 0;
      streak = { kind: "failure", count: 0 };
      retryAt = -Infinity;
      paced = undefined;
    },
  };
}
