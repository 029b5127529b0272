import { createRequire as __WEBPACK_EXTERNAL_createRequire } from "module";
/******/ var __webpack_modules__ = ({

/***/ 3210:
/***/ ((__unused_webpack_module, __webpack_exports__, __nccwpck_require__) => {

/* harmony export */ __nccwpck_require__.d(__webpack_exports__, {
/* harmony export */   Dd: () => (/* binding */ exchangeCode),
/* harmony export */   Fd: () => (/* binding */ hasControlCharacter),
/* harmony export */   J0: () => (/* binding */ verifyJwt),
/* harmony export */   Yt: () => (/* binding */ getJwt),
/* harmony export */   b1: () => (/* binding */ LIMITS),
/* harmony export */   bS: () => (/* binding */ ItsYouOnlineError),
/* harmony export */   dm: () => (/* binding */ refreshJwt),
/* harmony export */   hn: () => (/* binding */ deriveJwt),
/* harmony export */   iD: () => (/* binding */ getAccessToken),
/* harmony export */   iU: () => (/* binding */ decodeJwt),
/* harmony export */   xj: () => (/* binding */ resolveBaseUrl),
/* harmony export */   yy: () => (/* binding */ ITSYOU_ONLINE_URL),
/* harmony export */   zY: () => (/* binding */ DEFAULTS)
/* harmony export */ });
/* unused harmony exports ITSYOU_ONLINE_PUBLIC_KEY, ITSYOU_ONLINE_STAGING_PUBLIC_KEY, authorizeUrl, randomState, parseCallback, verifyRequest, isDerivedJwt, createTokenSource */
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
const ITSYOU_ONLINE_URL = "https://itsyou.online";
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
const ITSYOU_ONLINE_PUBLIC_KEY = `-----BEGIN PUBLIC KEY-----
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
const ITSYOU_ONLINE_STAGING_PUBLIC_KEY = (/* unused pure expression or super */ null && (`-----BEGIN PUBLIC KEY-----
MHYwEAYHKoZIzj0CAQYFK4EEACIDYgAEkmd07vxBqoCiHsaplIpjlonDeOnpvPam
ORMdBcAlHNXbzwplcdK4qlZGPBz9mxDSrBOv9SZH+Et6r8gn9Fx/+ZjlvRwowqOU
FpCIijAEx6A3BhfRUbmwl1evBKzWB/qw
-----END PUBLIC KEY-----`));
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
const DEFAULTS = { timeoutMs: 10_000, retries: 3 };
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
const LIMITS = { retries: 10, timeoutMs: 3_600_000, validitySeconds: 86_400, textLength: 4096 };
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
function hasControlCharacter(text) {
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
class ItsYouOnlineError extends Error {
    /** Always `"ItsYouOnlineError"`. */
    name = "ItsYouOnlineError";
    /** What went wrong, for programs. */
    code;
    /** The HTTP status, for `HTTP_ERROR`. */
    status;
    /** The endpoint's path, e.g. `/v1/oauth/access_token`, for request errors. */
    endpoint;
    /**
     * The claim that failed, for `JWT_CLAIM_INVALID`: `iss`, `exp`, `nbf`,
     * `iat`, `aud` or `scope`. A service answers 403 for `scope` (the token is
     * valid but lacks a permission) and 401 for the others.
     */
    claim;
    /**
     * Creates an error; the module does this, callers rarely need to.
     *
     * @param code A stable code.
     * @param message What happened and what to check.
     * @param details The status, the endpoint, the claim and a secret-free cause.
     */
    constructor(code, message, details = {}) {
        super(message, details.cause ? { cause: details.cause } : undefined);
        this.code = code;
        if (details.status !== undefined)
            this.status = details.status;
        if (details.endpoint !== undefined)
            this.endpoint = details.endpoint;
        if (details.claim !== undefined)
            this.claim = details.claim;
    }
}
function invalidArgument(message) {
    return new ItsYouOnlineError("INVALID_ARGUMENT", message);
}
// ---------------------------------------------------------------------------
// Argument checks (they never echo a value: it may be a secret)
// ---------------------------------------------------------------------------
function checkText(name, value, max = MAX_TEXT_LENGTH) {
    if (value === undefined || value === null)
        throw invalidArgument(`${name} is missing.`);
    if (typeof value !== "string")
        throw invalidArgument(`${name} must be a string, not ${typeof value}.`);
    if (value.trim() === "")
        throw invalidArgument(`${name} is empty; pass a non-empty string.`);
    if (hasControlCharacter(value)) {
        throw invalidArgument(`${name} contains a line break or another control character; remove it.`);
    }
    if (value.length > max)
        throw invalidArgument(`${name} is longer than ${max} characters.`);
    return value;
}
function checkObject(name, value) {
    if (typeof value !== "object" || value === null || Array.isArray(value)) {
        throw invalidArgument(`${name} must be an object.`);
    }
    return value;
}
function checkBoolean(name, value) {
    if (value === undefined)
        return false;
    if (typeof value !== "boolean")
        throw invalidArgument(`${name} must be true or false.`);
    return value;
}
function checkInteger(name, value, min, max) {
    if (typeof value !== "number" || !Number.isInteger(value) || value < min || value > max) {
        throw invalidArgument(`${name} must be a whole number from ${min} to ${max}.`);
    }
    return value;
}
function checkValidity(value) {
    if (value === undefined)
        return undefined;
    return checkInteger("validity (seconds)", value, 1, MAX_VALIDITY_SECONDS);
}
/** A list from `["a", "b"]` or `"a,b"`: trimmed, empty entries dropped. */
function checkList(name, value) {
    if (value === undefined)
        return [];
    const items = typeof value === "string" ? value.split(",") : value;
    if (!Array.isArray(items))
        throw invalidArgument(`${name} must be a string or an array of strings.`);
    const list = [];
    for (const item of items) {
        if (typeof item !== "string")
            throw invalidArgument(`${name} must hold only strings.`);
        if (typeof value !== "string" && item.includes(",")) {
            throw invalidArgument(`${name} entries cannot contain a comma: the server splits on commas.`);
        }
        const trimmed = item.trim();
        if (trimmed !== "")
            list.push(checkText(`each entry of ${name}`, trimmed, 1024));
    }
    return list;
}
function checkCredentials(value) {
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
function resolveBaseUrl(baseUrl) {
    return checkBaseUrl(baseUrl);
}
function checkBaseUrl(value) {
    if (value === undefined)
        return new URL(ITSYOU_ONLINE_URL);
    if (!(value instanceof URL) && typeof value !== "string") {
        throw invalidArgument("baseUrl must be a string or a URL.");
    }
    const text = value instanceof URL ? value.href : checkText("baseUrl", value);
    let url;
    try {
        url = new URL(text);
    }
    catch {
        throw invalidArgument("baseUrl is not an absolute URL; use e.g. https://itsyou.online.");
    }
    if (url.protocol !== "https:" && !(url.protocol === "http:" && LOOPBACK_HOST.test(url.hostname))) {
        throw invalidArgument("baseUrl must use https: (plain http: is accepted only for localhost and 127.0.0.1).");
    }
    if (url.username || url.password) {
        throw invalidArgument("baseUrl must not contain a user name or password; pass credentials as clientId and clientSecret.");
    }
    if (url.search || url.hash || text.includes("?") || text.includes("#")) {
        throw invalidArgument("baseUrl must not have a query or a fragment; give the server's root, e.g. https://itsyou.online.");
    }
    // `https://host//x` (or `/\x`, which URL reads as `//x`) has an empty path segment: resolved as a
    // reference, such a path names another host. Paths are only ever appended here, but refuse it anyway.
    if (url.pathname.includes("//") || text.includes("\\")) {
        throw invalidArgument("baseUrl's path has an empty segment ('//') or a backslash; give the server's root, e.g. https://id.example.com/iyo.");
    }
    return url;
}
/** The base URL with `path` appended to its path: same origin, always (never a relative reference). */
function endpointUrl(base, path) {
    const url = new URL(base.origin);
    url.pathname = base.pathname.replace(/\/$/, "") + path;
    return url;
}
/**
 * A header value: printable ASCII. `fetch` throws before sending on anything
 * beyond Latin-1, and servers read bytes beyond ASCII each their own way.
 */
function checkHeaderText(name, value, max) {
    const text = checkText(name, value, max);
    if (/[^\u0020-\u007e]/.test(text)) {
        throw invalidArgument(`${name} contains a character that is not printable ASCII, which an HTTP header cannot carry reliably; check the value.`);
    }
    return text;
}
function checkRequestOptions(options) {
    const given = options.fetch;
    if (given !== undefined && typeof given !== "function")
        throw invalidArgument("fetch must be a function.");
    if (given === undefined && typeof globalThis.fetch !== "function") {
        throw invalidArgument("This runtime has no global fetch; pass one as fetch.");
    }
    // Never called as a method of an options object: workers refuse a `fetch` whose `this` is not the global.
    const fetchFunction = given === undefined
        ? (input, init) => globalThis.fetch(input, init)
        : (input, init) => given.call(globalThis, input, init);
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
const STATUS_TEXT = {
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
async function send(transport, call) {
    const url = endpointUrl(transport.base, call.path);
    const body = new URLSearchParams();
    for (const [name, value] of Object.entries(call.form))
        if (value !== undefined)
            body.set(name, value);
    const headers = {
        "accept": call.accept,
        "content-type": "application/x-www-form-urlencoded",
    };
    if (call.authorization)
        headers.authorization = call.authorization;
    if (transport.userAgent)
        headers["user-agent"] = transport.userAgent;
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
        if (outcome.kind === "fatal" || attempt > transport.retries)
            throw finalError(outcome, call, attempt);
        const backoff = Math.random() * backoffCap(attempt);
        const wait = Math.max(backoff, outcome.retryAfterMs ?? 0);
        const left = bound - spent;
        if (wait > backoff && wait + transport.timeout > left)
            throw retryAfterTooLong(outcome.error, call, wait, bound);
        // Nothing useful left for another attempt: the last failure is the answer.
        if (wait + Math.min(MIN_ATTEMPT_MS, transport.timeout) > left)
            throw finalError(outcome, call, attempt);
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
function connectionReturned() {
    const immediate = globalThis.setImmediate;
    return immediate ? new Promise((resolve) => void immediate(resolve)) : Promise.resolve();
}
/** The longest backoff before retry number `attempt`: 200 ms doubling, 5 s at most. */
function backoffCap(attempt) {
    return Math.min(BACKOFF_CAP_MS, BACKOFF_BASE_MS * 2 ** (attempt - 1));
}
/** A call's time bound in ms, whatever the server answers: `(retries + 1) × timeout` plus the longest backoffs. */
function callBound(transport) {
    let bound = (transport.retries + 1) * transport.timeout;
    for (let attempt = 1; attempt <= transport.retries; attempt++)
        bound += backoffCap(attempt);
    return bound;
}
function retryAfterTooLong(error, call, wait, bound) {
    const when = wait >= MAX_RETRY_AFTER_MS
        ? "in more than a year"
        : `in ${Math.ceil(wait / 1000)} s (at ${new Date(Date.now() + wait).toISOString()})`;
    return new ItsYouOnlineError(error.code, `${error.message} The server asked to be called again ${when}, which does not fit in this call's time bound of ${bound} ms ((retries + 1) × timeout plus backoff); try again then, or raise timeout or retries.`, { status: error.status, endpoint: call.path });
}
/** Why an attempt's deadline passed: its own timeout, or the caller's signal. */
const TIMED_OUT = Symbol("timed out");
const ABORTED_BY_CALLER = Symbol("aborted");
function deadline(timeout, callerSignal) {
    const controller = new AbortController();
    let reason;
    let expire = () => { };
    const passed = new Promise((_, reject) => (expire = reject));
    const end = (why) => {
        reason = why;
        expire(why);
        controller.abort();
    };
    const timer = setTimeout(() => end(TIMED_OUT), timeout);
    const onAbort = () => end(ABORTED_BY_CALLER);
    callerSignal?.addEventListener("abort", onAbort, { once: true });
    return {
        signal: controller.signal,
        within(promise) {
            promise.catch(() => { });
            return Promise.race([promise, passed]);
        },
        get reason() {
            return reason;
        },
        clear() {
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
async function attemptOnce(transport, call, url, headers, body, timeout) {
    const { signal } = transport;
    if (signal?.aborted)
        return { kind: "fatal", error: aborted(call.path) };
    const time = deadline(timeout, signal);
    let response;
    try {
        response = await time.within(new Promise((resolve) => resolve(transport.fetch(url.href, { method: "POST", headers, body, redirect: "manual", signal: time.signal }))));
        return await responseOutcome(response, call, url, time);
    }
    catch (error) {
        if (response)
            void cancel(response);
        if (error instanceof ItsYouOnlineError)
            return { kind: "fatal", error };
        if (time.reason === ABORTED_BY_CALLER || signal?.aborted)
            return { kind: "fatal", error: aborted(call.path) };
        if (time.reason === TIMED_OUT) {
            return {
                kind: "retry",
                error: new ItsYouOnlineError("TIMEOUT", `ItsYou.online did not answer ${call.path} within ${timeout} ms; check that the server is reachable from here, or raise the timeout.`, { endpoint: call.path }),
            };
        }
        return classifyFailure(error, call, transport, url);
    }
    finally {
        time.clear();
    }
}
/** What a response means: a 2xx is an answer (its body read within the deadline); any other status a retry or not. */
async function responseOutcome(response, call, url, time) {
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
const TRANSIENT_TEXT = /connection (refused|reset|closed|aborted|lost)|os error (99|104|110|111|113)|cannot assign requested address|tcp connect error|error reading a body|socket hang up|broken pipe|other side closed|temporary failure in name resolution|network connection lost|timed out/i;
/** A certificate that is not trusted (Node, Bun and undici codes; Deno's and workers' texts). */
const CERTIFICATE_CODE = /CERT|SELF_SIGNED|UNABLE_TO_VERIFY|UNABLE_TO_GET_ISSUER|^ERR_TLS_CERT/;
const CERTIFICATE_TEXT = /certificate|UnknownIssuer|CaUsedAsEndEntity/i;
/**
 * A TLS handshake that failed before any certificate was looked at: the port
 * speaks plain HTTP (or something else), or only HTTP/2.
 */
const HANDSHAKE_CODE = /^EPROTO$|^ERR_SSL_(WRONG_VERSION_NUMBER|PACKET_LENGTH_TOO_LONG|HTTP_REQUEST|.*NO_APPLICATION_PROTOCOL)/;
const HANDSHAKE_TEXT = /wrong version number|packet length too long|InvalidContentType|does the server speak TLS|no application protocol|\b(tls|ssl) (handshake|alert)/i;
/** An answer that is not HTTP/1.1 (another service on the port, a malformed status line, an endless header). */
const NOT_HTTP_CODE = /^HPE_|^UND_ERR_HEADERS_OVERFLOW$|^UND_ERR_RESPONSE$|^Malformed_HTTP_Response$/;
const NOT_HTTP_TEXT = /HTTPParserError|does not match the HTTP\/1\.1 protocol|parse error|invalid HTTP (version|status-code|header) parsed|message head is too large|headers? overflow/i;
const NO_SUCH_HOST_CODE = /^(ENOTFOUND|EAI_FAIL|EAI_NONAME)$/;
const NO_SUCH_HOST_TEXT = /name or service not known|no address associated|nodename nor servname|no such host|non-recoverable failure in name resolution/i;
/** Deno's refusal when a permission flag is missing. */
const PERMISSION_TEXT = /^(NotCapable|PermissionDenied)$|requires \w+ access|--allow-\w+/i;
/**
 * What a thrown `fetch` (or body read) failure means, and what to check. Only
 * connection failures that can heal are retried; an untrusted certificate, a
 * port that does not speak HTTPS or HTTP, an unknown host, a missing
 * permission and a programming error fail at once. Node, Deno, Bun and
 * workers word these differently: the codes and texts above cover each.
 */
function classifyFailure(error, call, transport, url) {
    const reason = describe(error, call.secrets);
    const chain = causeChain(error);
    const codes = chain.map((cause) => cause.code).filter((code) => typeof code === "string");
    const names = chain.map((cause) => (cause instanceof Error ? cause.name : ""));
    /** Whether a cause's code matches `code`, or a cause's name or the description matches `text`. */
    const is = (code, text) => codes.some((c) => code?.test(c)) || names.some((n) => text.test(n)) || text.test(reason);
    const details = { endpoint: call.path, cause: new Error(reason) };
    const fatal = (code, message) => ({
        kind: "fatal",
        error: new ItsYouOnlineError(code, message, details),
    });
    if (is(CERTIFICATE_CODE, CERTIFICATE_TEXT)) {
        return fatal("TLS_ERROR", `The TLS connection to ${url.origin} failed (${reason}): the server's certificate is not trusted here. If the server uses a private CA, trust it (NODE_EXTRA_CA_CERTS=ca.pem on Node, Bun and in the action; --cert ca.pem on Deno); otherwise fix the server's certificate (expired, wrong host name or incomplete chain).`);
    }
    if (is(HANDSHAKE_CODE, HANDSHAKE_TEXT)) {
        return fatal("TLS_ERROR", `The TLS handshake with ${url.origin} failed before any certificate was checked (${reason}): whatever listens there does not speak HTTPS with this client. Check the base URL's scheme and port (https: to a plain-HTTP port fails this way) and that the server speaks HTTP/1.1, not only HTTP/2.`);
    }
    if (is(NOT_HTTP_CODE, NOT_HTTP_TEXT)) {
        return fatal("INVALID_RESPONSE", `What answered at ${url.origin} for ${call.path} is not an HTTP/1.1 server (${reason}); check the base URL's host and port: another service may listen there.`);
    }
    if (is(NO_SUCH_HOST_CODE, NO_SUCH_HOST_TEXT)) {
        return fatal("NETWORK_ERROR", `The host ${url.hostname} does not exist (${reason}); check the base URL and DNS.`);
    }
    if (is(undefined, PERMISSION_TEXT)) {
        return fatal("FETCH_ERROR", `The runtime refused the request to ${url.host} (${reason}): grant network access to it, e.g. deno run --allow-net=${url.host}.`);
    }
    if (codes.some((code) => TRANSIENT_CODES.has(code)) || TRANSIENT_TEXT.test(reason)) {
        return {
            kind: "retry",
            error: new ItsYouOnlineError("NETWORK_ERROR", `Could not reach ItsYou.online at ${url.origin} for ${call.path} (${reason}); check the base URL, DNS, proxy settings and the network.`, details),
        };
    }
    return fatal("FETCH_ERROR", transport.customFetch
        ? `The fetch function failed in a way that is not a network failure (${reason}); check the fetch you pass (a method needs binding, e.g. (url, init) => client.fetch(url, init)).`
        : `The runtime's fetch failed in a way that is not a known network failure (${reason}); check the base URL ${url.origin} and the network, and report this message if it persists.`);
}
function causeChain(error) {
    const chain = [];
    for (let current = error; current !== undefined && current !== null && chain.length < 4;) {
        chain.push(current);
        current = current instanceof Error ? current.cause : undefined;
    }
    return chain;
}
function aborted(path) {
    return new ItsYouOnlineError("ABORTED", `The request to ${path} was aborted by its signal.`, { endpoint: path });
}
function finalError(outcome, call, attempts) {
    const error = outcome.error;
    if (attempts === 1 || outcome.kind === "fatal")
        return error;
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
const HTTP_ADVICE = [
    {
        status: [300, 399],
        advice: "The server answered with a redirect, which is never followed: check baseUrl (scheme, host and path prefix).",
    },
    {
        status: 400,
        purpose: "client_credentials",
        advice: "ItsYou.online refused the client credentials: check the client id and secret, and that the organization's API key has the client credentials flow enabled.",
    },
    {
        status: 400,
        purpose: "authorization_code",
        advice: "ItsYou.online refused the authorization code: codes are valid for 10 seconds, redirect_uri must equal the one sent to /v1/oauth/authorize, state must match when sent, and the client id and secret must be the organization's API key.",
    },
    {
        status: 401,
        purpose: "refresh",
        advice: "ItsYou.online refused to refresh the JWT: its refresh record is gone (30 days after last use) or another server signed it; get a new JWT from the credentials.",
    },
    {
        status: 401,
        purpose: "derive",
        advice: "ItsYou.online refused to derive a JWT: a derived JWT can only narrow the parent's scopes (ask only for scopes the parent JWT has), and the parent must be unexpired, signed by this server, and its refresh record alive.",
    },
    {
        status: 500,
        purpose: "derive",
        advice: "ItsYou.online failed on this parent JWT: the server answers 500 to a parent it cannot derive from (one without username, i.e. an organization's, or without refresh_token); derive only from a user's JWT asked for with refreshable: true.",
    },
    {
        status: 401,
        purpose: "jwt",
        advice: "ItsYou.online refused the access token or the scope: check that the token is not expired and that every requested scope is granted to it.",
    },
    { status: 401, advice: "The requested JWT scope is not covered by what the client was granted: check scope." },
    { status: 404, advice: "Check that baseUrl is the root of an ItsYou.online server (with its path prefix, if any)." },
    { status: 429, advice: "The server or a proxy in front of it is rate limiting; try again later." },
    {
        status: 408,
        advice: "The server or a proxy in front of it gave up waiting for the request; check the network, or try again later.",
    },
    { status: [500, 599], advice: "The server or a proxy in front of it failed; try again later." },
];
/** The error for an HTTP status; its message names the path that was requested (a base URL's prefix included). */
function httpError(call, status, url) {
    const what = `HTTP ${status}${STATUS_TEXT[status] ? ` ${STATUS_TEXT[status]}` : ""} from ${url.pathname}`;
    const advice = HTTP_ADVICE.find((row) => (typeof row.status === "number" ? status === row.status : status >= row.status[0] && status <= row.status[1]) &&
        (row.purpose === undefined || row.purpose === call.purpose))?.advice ??
        "This status is not part of the ItsYou.online protocol; check baseUrl.";
    return new ItsYouOnlineError("HTTP_ERROR", `${what}. ${advice}`, { status, endpoint: call.path });
}
/** A `Retry-After` (seconds or an HTTP date) in ms, from 0 to a year; anything longer counts as a year. */
function parseRetryAfter(header) {
    if (header === null)
        return undefined;
    const value = header.trim();
    const ms = /^\d+$/.test(value) ? Number(value) * 1000 : Date.parse(value) - Date.now();
    return Number.isNaN(ms) ? undefined : Math.min(Math.max(0, ms), MAX_RETRY_AFTER_MS);
}
function sleep(ms, signal, path) {
    return new Promise((resolve, reject) => {
        if (signal?.aborted)
            return reject(aborted(path));
        const onAbort = () => {
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
async function cancel(response) {
    try {
        await response.body?.cancel();
    }
    catch {
        // The body is gone either way (a locked stream is cancelled through its reader).
    }
}
async function readCapped(response, path, within) {
    const tooLarge = () => new ItsYouOnlineError("INVALID_RESPONSE", `The response from ${path} is larger than ${MAX_BODY_BYTES} bytes, far more than any ItsYou.online answer; check baseUrl.`, { endpoint: path });
    if (Number(response.headers.get("content-length")) > MAX_BODY_BYTES)
        throw tooLarge();
    if (!response.body)
        return "";
    const reader = response.body.getReader();
    const chunks = [];
    let size = 0;
    try {
        for (;;) {
            const { done, value } = await within(reader.read());
            if (done)
                break;
            size += value.byteLength;
            if (size > MAX_BODY_BYTES)
                throw tooLarge();
            chunks.push(value);
        }
    }
    catch (error) {
        // Not awaited: a reader that ignores cancel must not hold the attempt past its deadline.
        void Promise.resolve().then(() => reader.cancel()).catch(() => { });
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
function describe(error, secrets) {
    const parts = causeChain(error).map((cause) => {
        if (!(cause instanceof Error))
            return String(cause);
        const code = cause.code;
        return `${cause.message}${typeof code === "string" ? ` [${code}]` : ""}`;
    });
    return redact(parts.join(": "), secrets).replace(/\s+/g, " ").trim().slice(0, 500) || "unknown error";
}
/** Removes every secret from `text`, in each form it can take in a message: as is, URL- and form-encoded, JSON-escaped. */
function redact(text, secrets) {
    let result = text;
    for (const secret of secrets) {
        const forms = [
            secret,
            encodeURIComponent(secret),
            new URLSearchParams({ s: secret }).toString().slice(2),
            JSON.stringify(secret).slice(1, -1),
        ];
        for (const form of new Set(forms))
            if (form)
                result = result.split(form).join("[redacted]");
    }
    return result;
}
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
async function getAccessToken(options) {
    const { clientId, clientSecret } = checkCredentials(options);
    const transport = checkRequestOptions(options);
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
async function exchangeCode(options) {
    const { clientId, clientSecret } = checkCredentials(options);
    const code = checkText("code", options.code);
    const redirectUri = checkRedirectUri(options.redirectUri);
    const state = options.state === undefined ? undefined : checkText("state", options.state);
    const transport = checkRequestOptions(options);
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
function invalidResponse(answer, what) {
    return new ItsYouOnlineError("INVALID_RESPONSE", `The answer from ${answer.url.origin} to ${answer.path} is not what ItsYou.online sends (${what}); check that the base URL points at an ItsYou.online server.`, { endpoint: answer.path });
}
function parseTokenResponse(answer) {
    let json;
    try {
        json = JSON.parse(answer.body);
    }
    catch {
        throw invalidResponse(answer, `expected JSON, got ${answer.contentType || "no content type"}`);
    }
    if (typeof json !== "object" || json === null || Array.isArray(json)) {
        throw invalidResponse(answer, "expected a JSON object");
    }
    const { access_token, id_token, token_type, scope, expires_in, info } = json;
    if (typeof access_token !== "string" || !/^[\w.~+/=-]{1,4096}$/.test(access_token)) {
        throw invalidResponse(answer, "access_token is missing or malformed");
    }
    if (typeof token_type !== "string" || token_type.toLowerCase() !== "bearer") {
        throw invalidResponse(answer, "token_type is not bearer");
    }
    if (!Number.isSafeInteger(expires_in) || expires_in < 0 || expires_in > MAX_EXPIRES_IN_SECONDS) {
        throw invalidResponse(answer, "expires_in is not a whole number of seconds from 0 to 10 years");
    }
    if (scope !== undefined && typeof scope !== "string")
        throw invalidResponse(answer, "scope is not a string");
    const username = typeof info === "object" && info !== null ? info.username : undefined;
    if (username !== undefined &&
        (typeof username !== "string" || hasControlCharacter(username) || username.length > 256)) {
        throw invalidResponse(answer, "info.username is not a user name");
    }
    const token = {
        accessToken: access_token,
        tokenType: token_type,
        scopes: splitScopes(scope ?? ""),
        expiresIn: expires_in,
        expiresAt: new Date(Date.now() + expires_in * 1000),
    };
    if (typeof username === "string" && username !== "")
        token.username = username;
    if (id_token !== undefined) {
        try {
            decodeJwt(id_token);
        }
        catch {
            throw invalidResponse(answer, "id_token is not a JWT");
        }
        token.idToken = id_token;
    }
    return token;
}
/**
 * `"a,b,"` → `["a", "b"]`: the server ends scope lists with a comma, and joins a
 * user API key's scopes with a space (`"user:admin user:name"`).
 */
function splitScopes(scope) {
    return scope.split(/[\s,]+/).filter((entry) => entry !== "");
}
// ---------------------------------------------------------------------------
// Authorization code flow
// ---------------------------------------------------------------------------
function checkRedirectUri(value) {
    const text = checkText("redirectUri", value);
    let url;
    try {
        url = new URL(text);
    }
    catch {
        throw invalidArgument("redirectUri must be an absolute URL, e.g. https://app.example.com/callback.");
    }
    if (!url.host)
        throw invalidArgument("redirectUri must have a host.");
    if (/[%+]/.test(text)) {
        throw invalidArgument("redirectUri must not contain '%' or '+': the server decodes redirect_uri twice, so such a URI would not match at exchange time.");
    }
    return text;
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
function authorizeUrl(options) {
    const checked = checkObject("options", options);
    const clientId = checkText("clientId", checked.clientId);
    const redirectUri = checkRedirectUri(checked.redirectUri);
    const scope = checkList("scope", checked.scope);
    const state = checkText("state", checked.state);
    const url = endpointUrl(checkBaseUrl(checked.baseUrl), AUTHORIZE_PATH);
    url.searchParams.set("response_type", "code");
    url.searchParams.set("client_id", clientId);
    url.searchParams.set("redirect_uri", redirectUri);
    if (scope.length > 0)
        url.searchParams.set("scope", scope.join(","));
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
function randomState() {
    return base64UrlEncode(crypto.getRandomValues(new Uint8Array(32)));
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
function parseCallback(url, expectedState) {
    const expected = checkText("expectedState", expectedState);
    let parsed;
    try {
        parsed = new URL(url instanceof URL ? url.href : checkText("url", url, 65_536));
    }
    catch (error) {
        if (error instanceof ItsYouOnlineError)
            throw error;
        throw invalidArgument("url must be the absolute URL the user was redirected to.");
    }
    const state = parsed.searchParams.get("state") ?? "";
    if (!timingSafeEqual(state, expected)) {
        throw new ItsYouOnlineError("STATE_MISMATCH", "The callback's state differs from the one sent to /v1/oauth/authorize: the callback may be forged or replayed; start the login again.");
    }
    const code = parsed.searchParams.get("code");
    if (!code) {
        throw invalidArgument("The callback has no code: the user did not finish authorizing; start the login again.");
    }
    return { code: checkText("code", code), state };
}
function timingSafeEqual(a, b) {
    const left = new TextEncoder().encode(a);
    const right = new TextEncoder().encode(b);
    let difference = left.length ^ right.length;
    for (let i = 0; i < left.length; i++)
        difference |= left[i] ^ (right[i % (right.length || 1)] ?? 0);
    return difference === 0;
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
async function getJwt(from, options = {}) {
    return (await requestJwt(from, options)).jwt;
}
/** The `scope` (with `offline_access` when `refreshable`) and `aud` fields of a JWT request, checked. */
function scopeAndAudience(checked) {
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
function requestJwt(from, options) {
    const checked = checkObject("options", options);
    const form = {
        ...scopeAndAudience(checked),
        validity: checkValidity(checked.validity)?.toString(),
        store_info: checkBoolean("storeInfo", checked.storeInfo) ? "true" : undefined,
        add_grants: checkBoolean("addGrants", checked.addGrants) ? "true" : undefined,
    };
    let call;
    if (typeof from === "object" && from !== null && "clientId" in from) {
        call = jwtFromCredentials(checkCredentials(from), form);
    }
    else {
        const accessToken = typeof from === "object" && from !== null ? from.accessToken : from;
        call = jwtFromAccessToken(checkHeaderText("the access token", accessToken, MAX_TEXT_LENGTH), form);
    }
    return send(checkRequestOptions(checked), call).then(jwtFromAnswer);
}
/** The request for a JWT in one round trip: client credentials with `response_type=id_token` answer with a JWT. */
function jwtFromCredentials({ clientId, clientSecret }, form) {
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
function jwtFromAccessToken(accessToken, form) {
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
async function refreshJwt(jwt, options = {}) {
    return (await requestRefresh(jwt, options)).jwt;
}
async function requestRefresh(jwt, options) {
    const checked = checkObject("options", options);
    const claims = decodeJwt(jwt);
    if (typeof claims.refresh_token !== "string" || claims.refresh_token === "") {
        throw new ItsYouOnlineError("NOT_REFRESHABLE", "This JWT has no refresh_token claim, so it cannot be refreshed; ask for it with refreshable: true (the offline_access scope).");
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
async function deriveJwt(parentJwt, options = {}) {
    const checked = checkObject("options", options);
    const parent = checkParent(parentJwt);
    const fields = derivedScopeAndAudience(checked, parent);
    const asked = checkValidity(checked.validity);
    const transport = checkRequestOptions(checked);
    return (await deriveWithinParent(transport, parent, fields, asked)).jwt;
}
function checkParent(jwt) {
    const claims = decodeJwt(jwt);
    if (typeof claims.username !== "string" || claims.username === "") {
        throw invalidArgument("The parent JWT is not a user's (it has no username; an organization's JWT, say): ItsYou.online derives JWTs only from a user's JWT. For an organization, get a new JWT from its credentials with the audience you need: getJwt({ clientId, clientSecret }, { audience }).");
    }
    if (typeof claims.refresh_token !== "string" || claims.refresh_token === "") {
        throw invalidArgument("The parent JWT has no refresh_token: ItsYou.online derives JWTs only from a refreshable parent (it answers 500 otherwise). Ask for the parent JWT with refreshable: true (the offline_access scope).");
    }
    if (!isJwtTime(claims.exp))
        throw jwtInvalid("The parent JWT's exp claim is missing or out of range.");
    const scope = isStringList(claims.scope) ? claims.scope : [];
    return { jwt, refreshToken: claims.refresh_token, expMs: claims.exp * 1000, scope };
}
/**
 * The `scope` and `aud` a derived JWT is asked for. The server grants any scope to a derived JWT, so this refuses
 * a `user:memberof:` scope the parent does not hold exactly, and a refreshable JWT, which would outlive its parent.
 */
function derivedScopeAndAudience(checked, parent) {
    const fields = scopeAndAudience({ ...checked, refreshable: undefined });
    const scopes = fields.scope?.split(",") ?? [];
    if (checkBoolean("refreshable", checked.refreshable) || scopes.includes("offline_access")) {
        throw invalidArgument("deriveJwt does not make refreshable JWTs (refreshable, offline_access): whoever holds one can renew it for 30 days, after its parent expired. Derive a short JWT for each service instead.");
    }
    const notHeld = scopes.find((scope) => scope.startsWith(MEMBERSHIP_SCOPE) && !parent.scope.includes(scope));
    if (notHeld !== undefined) {
        throw invalidArgument(`The parent JWT does not hold ${JSON.stringify(notHeld)}: ItsYou.online does not check membership when it derives a JWT, so deriveJwt asks only for user:memberof: scopes the parent holds exactly. Leave it out, or get a JWT with it from the user's own credentials or login (getJwt).`);
    }
    return fields;
}
/**
 * The derived JWT, for `asked` seconds or what the parent has left; asked again for what is left by the server's
 * clock when that runs ahead of ours, and refused if it would still outlive its parent.
 */
async function deriveWithinParent(transport, parent, fields, asked) {
    /** Whole seconds the parent has left at `now` (ms). */
    const remaining = (now) => Math.floor((parent.expMs - now) / 1000);
    const expiredAt = new Date(parent.expMs).toISOString();
    const left = remaining(Date.now());
    if (left < 1) {
        throw new ItsYouOnlineError("JWT_EXPIRED", `The parent JWT expired at ${expiredAt}; refresh it first (refreshJwt), then derive from the refreshed JWT.`);
    }
    if (asked !== undefined && asked > left) {
        throw invalidArgument(`validity (${asked} s) is longer than the parent JWT's remaining life (${left} s): a derived JWT never outlives its parent; ask for ${left} s or less, or leave validity out.`);
    }
    const derive = (validity) => send(transport, {
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
            throw new ItsYouOnlineError("JWT_EXPIRED", `By the server's clock the parent JWT expired at ${expiredAt}; refresh it first (refreshJwt).`);
        }
        issued = await derive(Math.min(asked ?? leftByServer, leftByServer));
    }
    if (issued.expMs > parent.expMs) {
        throw new ItsYouOnlineError("INVALID_RESPONSE", "The derived JWT would outlive its parent (the server's clock differs from this one and its answer has no usable Date header); it was not used. Check the clocks, or pass a shorter validity.", { endpoint: JWT_PATH });
    }
    return issued;
}
function jwtFromAnswer(answer) {
    let jwt = answer.body.trim();
    if (answer.contentType.toLowerCase().startsWith("application/json")) {
        try {
            jwt = String(JSON.parse(answer.body).access_token ?? "");
        }
        catch {
            throw invalidResponse(answer, "expected a JWT, got malformed JSON");
        }
    }
    let claims;
    try {
        claims = decodeJwt(jwt);
    }
    catch {
        throw invalidResponse(answer, `expected a JWT, got ${answer.contentType || "no content type"} that is not one`);
    }
    if (!isJwtTime(claims.exp))
        throw invalidResponse(answer, "the JWT's exp is missing or out of range");
    const wrongClaim = wronglyTypedClaim(claims);
    if (wrongClaim)
        throw invalidResponse(answer, `the JWT's ${wrongClaim}`);
    // A Date header counts whole seconds: take the end of its second, so the life is never overestimated.
    return {
        jwt,
        expMs: claims.exp * 1000,
        serverDateEndMs: answer.serverTime === undefined ? undefined : answer.serverTime + 1000,
    };
}
const isString = (value) => typeof value === "string";
const isStringList = (value) => Array.isArray(value) && value.every(isString);
/** The claims a program reads, by the types ItsYou.online gives them; the first that differs, described. */
function wronglyTypedClaim(claims) {
    const types = [
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
        if (claims[claim] !== undefined && !check(claims[claim]))
            return `${claim} claim is not ${type}`;
    }
    return undefined;
}
/** A JWT time (seconds since the epoch) that a `Date` can hold, from 1970 on. */
function isJwtTime(value) {
    return typeof value === "number" && value >= 0 && value <= MAX_JWT_TIME_SECONDS;
}
// ---------------------------------------------------------------------------
// JWT decoding and verification
// ---------------------------------------------------------------------------
function jwtInvalid(message) {
    return new ItsYouOnlineError("JWT_INVALID", message);
}
function decodeParts(jwt) {
    if (typeof jwt !== "string")
        throw jwtInvalid(`The JWT must be a string, not ${jwt === null ? "null" : typeof jwt}.`);
    if (jwt.length > MAX_JWT_LENGTH) {
        throw jwtInvalid(`The JWT is longer than ${MAX_JWT_LENGTH} characters; no ItsYou.online JWT is.`);
    }
    const parts = jwt.split(".");
    if (parts.length !== 3) {
        throw jwtInvalid(`The JWT has ${parts.length} dot-separated parts; a compact JWT has exactly 3 (header.payload.signature).`);
    }
    const [header, claims] = [decodeJson(parts[0], "header"), decodeJson(parts[1], "payload")];
    return {
        header,
        claims: claims,
        signature: base64UrlDecode(parts[2], "signature"),
        signingInput: `${parts[0]}.${parts[1]}`,
    };
}
function decodeJson(part, what) {
    let value;
    try {
        value = JSON.parse(new TextDecoder("utf-8", { fatal: true }).decode(base64UrlDecode(part, what)));
    }
    catch (error) {
        if (error instanceof ItsYouOnlineError)
            throw error;
        throw jwtInvalid(`The JWT's ${what} is not UTF-8 JSON.`);
    }
    if (typeof value !== "object" || value === null || Array.isArray(value)) {
        throw jwtInvalid(`The JWT's ${what} is not a JSON object.`);
    }
    return value;
}
function base64UrlDecode(text, what) {
    if (!/^[A-Za-z0-9_-]*$/.test(text) || text.length % 4 === 1) {
        throw jwtInvalid(`The JWT's ${what} is not base64url.`);
    }
    const binary = atob(text.replace(/-/g, "+").replace(/_/g, "/") + "=".repeat((4 - (text.length % 4)) % 4));
    const bytes = new Uint8Array(binary.length);
    for (let i = 0; i < binary.length; i++)
        bytes[i] = binary.charCodeAt(i);
    return bytes;
}
function base64UrlEncode(bytes) {
    let binary = "";
    for (const byte of bytes)
        binary += String.fromCharCode(byte);
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
function decodeJwt(jwt) {
    return decodeParts(jwt).claims;
}
const importedKeys = new Map();
function importPublicKey(publicKey) {
    if (typeof CryptoKey !== "undefined" && publicKey instanceof CryptoKey) {
        const algorithm = publicKey.algorithm;
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
        const notAKey = () => invalidArgument("publicKey is not a PEM-encoded P-384 public key (-----BEGIN PUBLIC KEY-----).");
        if (!match)
            return Promise.reject(notAKey());
        let der;
        try {
            der = Uint8Array.from(atob(match[1].replace(/\s+/g, "")), (char) => char.charCodeAt(0));
        }
        catch {
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
function checkExactList(name, value) {
    if (value === undefined)
        return undefined;
    const list = typeof value === "string" ? [value] : value;
    if (!Array.isArray(list))
        throw invalidArgument(`${name} must be a string or an array of strings.`);
    if (list.length === 0)
        throw invalidArgument(`${name} is empty.`);
    return list.map((entry) => checkText(`each entry of ${name}`, entry, 1024));
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
async function verifyJwt(jwt, options = {}) {
    const { expected, key } = checkVerifyOptions(options);
    return await verifyWith(jwt, expected, key);
}
/** {@linkcode VerifyJwtOptions}, checked: the claims to hold a JWT to, and the key (a promise, imported once). */
function checkVerifyOptions(options) {
    const checked = checkObject("options", options);
    const tolerance = checked.clockTolerance ?? 30;
    if (typeof tolerance !== "number" || !Number.isFinite(tolerance) || tolerance < 0) {
        throw invalidArgument("clockTolerance must be a number of seconds, 0 or more.");
    }
    const now = checked.now ?? new Date();
    if (!(now instanceof Date) || Number.isNaN(now.getTime()))
        throw invalidArgument("now must be a valid Date.");
    const audiences = checkExactList("audience", checked.audience);
    const anyAudience = checkBoolean("anyAudience", checked.anyAudience);
    if (audiences && anyAudience)
        throw invalidArgument("audience and anyAudience exclude each other; pass one.");
    const expected = {
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
    key.catch(() => { }); // thrown where it is awaited
    return { expected, key };
}
/** The JWT decoded (a malformed one fails before the key is awaited), its signature and claims checked. */
async function verifyWith(jwt, expected, key) {
    const decoded = decodeParts(jwt);
    await checkSignature(decoded, await key);
    checkClaims(decoded.claims, expected);
    return decoded.claims;
}
/** ES384 only, no `crit`, and a raw 96-byte signature that `key` verifies. */
async function checkSignature({ header, signature, signingInput }, key) {
    if (header.alg !== "ES384") {
        throw jwtInvalid(`The JWT's alg is ${JSON.stringify(header.alg)?.slice(0, 20)}; only ES384 is accepted, as ItsYou.online signs with it.`);
    }
    if (header.crit !== undefined)
        throw jwtInvalid("The JWT has a crit header, which is not supported.");
    const valid = signature.length === 96 &&
        await crypto.subtle.verify({ name: "ECDSA", hash: "SHA-384" }, key, signature, new TextEncoder().encode(signingInput));
    if (!valid) {
        throw new ItsYouOnlineError("JWT_SIGNATURE_INVALID", "The JWT's signature does not match the public key: it was altered, or another server signed it (check publicKey).");
    }
}
function claimInvalid(claim, message) {
    return new ItsYouOnlineError("JWT_CLAIM_INVALID", message, { claim });
}
/** RFC 7519's checks of `iss`, `exp`, `nbf`, `iat` and `aud`, then the scopes asked for. */
function checkClaims(claims, expected) {
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
        throw new ItsYouOnlineError("JWT_EXPIRED", `The JWT expired at ${new Date(claims.exp * 1000).toISOString()}; get a new one (or refresh it).`);
    }
    if (claims.nbf !== undefined && seconds < claims.nbf - expected.tolerance) {
        throw claimInvalid("nbf", "The JWT is not valid yet (nbf); check the clock.");
    }
    checkAudience(claims, expected);
    checkScopes(claims, expected);
}
/** RFC 7519 §4.1.3: a JWT with an `aud` is for the audiences it names, and no one else. */
function checkAudience(claims, expected) {
    if (expected.anyAudience)
        return;
    const granted = typeof claims.aud === "string" ? [claims.aud] : Array.isArray(claims.aud) ? claims.aud : [];
    if (expected.audiences) {
        if (!expected.audiences.some((audience) => granted.includes(audience))) {
            throw claimInvalid("aud", "The JWT's aud does not contain the expected audience; check audience.");
        }
    }
    else if (claims.aud !== undefined) {
        throw claimInvalid("aud", "The JWT is addressed to an audience (its aud claim), and no audience was given to check it against: a JWT meant for another service is refused. Pass this service's audience (audience), or anyAudience: true to accept any.");
    }
}
/** Why this JWT's `user:memberof:` scopes prove nothing here, if they do not. */
function untrustedMembership(claims, expected) {
    if (isDerivedJwt(claims) && !expected.trustDelegatedMembership) {
        return "The JWT was made by delegation (its globalid claim is null), and ItsYou.online does not check membership when it derives a JWT";
    }
    if (claims.refresh_token !== undefined && !expected.trustRefreshableMembership) {
        return "The JWT can be refreshed (it has a refresh_token claim), and ItsYou.online repeats the membership it stored at first issue on every refresh without checking it again, for 30 days past the last use";
    }
    return undefined;
}
/** `scope` (all of them) and `anyScope` (one of them), a `user:memberof:` scope counting only when trusted. */
function checkScopes(claims, expected) {
    if (!expected.scopes && !expected.anyScopes)
        return;
    const granted = isStringList(claims.scope) ? claims.scope : [];
    const distrust = untrustedMembership(claims, expected);
    const untrusted = (scope) => distrust !== undefined && scope.startsWith(MEMBERSHIP_SCOPE);
    const refuseMembership = (scope) => {
        throw claimInvalid("scope", `${distrust}, so its ${JSON.stringify(scope)} proves nothing. Ask the caller for a short JWT issued from the user's own credentials or login (not refreshable, not derived); trust such membership only knowingly (trustDelegatedMembership, trustRefreshableMembership).`);
    };
    if (expected.scopes) {
        const missing = expected.scopes.find((scope) => !granted.includes(scope));
        if (missing !== undefined) {
            throw claimInvalid("scope", `The JWT's scope claim does not contain ${JSON.stringify(missing)}; the token was issued without that scope (ask for it when getting the JWT).`);
        }
        const membership = expected.scopes.find(untrusted);
        if (membership !== undefined)
            refuseMembership(membership);
    }
    if (expected.anyScopes) {
        const held = expected.anyScopes.filter((scope) => granted.includes(scope));
        if (held.length === 0) {
            throw claimInvalid("scope", `The JWT's scope claim contains none of ${JSON.stringify(expected.anyScopes.join(" "))}; the token was issued without any of them (ask for one when getting the JWT).`);
        }
        if (held.every(untrusted))
            refuseMembership(held[0]);
    }
}
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
async function verifyRequest(request, options) {
    const checked = checkObject("options", options);
    const realm = checked.realm === undefined ? undefined : checkHeaderText("realm", checked.realm, 256);
    const { expected, key } = checkVerifyOptions(checked);
    // A wrong key is the service's fault, whatever the request holds: it throws before anything is answered.
    await key;
    const header = typeof request === "object" && request !== null
        ? typeof request.headers?.get === "function" ? request.headers.get("authorization") : request
        : request;
    if (header !== null && header !== undefined && typeof header !== "string") {
        throw invalidArgument("request must be the Authorization header's value, or have headers.get() (a Request).");
    }
    const challenge = (fields) => {
        const all = realm === undefined ? fields : { realm, ...fields };
        const params = Object.entries(all).map(([name, value]) => `${name}="${challengeText(value)}"`);
        return params.length > 0 ? `Bearer ${params.join(", ")}` : "Bearer";
    };
    const [scheme, ...rest] = (header ?? "").trim().split(/ +/);
    if (scheme === "" || scheme.toLowerCase() !== "bearer") {
        const error = new ItsYouOnlineError("INVALID_REQUEST", "The request has no bearer token; send Authorization: Bearer <an ItsYou.online JWT>.");
        return refusal(401, { "www-authenticate": challenge({}) }, { error_description: error.message }, error);
    }
    if (rest.length !== 1 || !/^[\w.~+/-]+=*$/.test(rest[0])) {
        const error = new ItsYouOnlineError("INVALID_REQUEST", rest.length === 0
            ? "The Authorization header says Bearer but holds no token; send Authorization: Bearer <an ItsYou.online JWT>."
            : "The Authorization header must hold exactly one bearer token (Bearer <JWT>), with no spaces or other characters in it.");
        const description = error.message;
        return refusal(400, { "www-authenticate": challenge({ error: "invalid_request", error_description: description }) }, { error: "invalid_request", error_description: description }, error);
    }
    try {
        return { ok: true, claims: await verifyWith(rest[0], expected, key) };
    }
    catch (error) {
        if (!(error instanceof ItsYouOnlineError) || error.code === "INVALID_ARGUMENT")
            throw error;
        const description = error.message;
        if (error.claim === "scope") {
            const required = [...expected.scopes ?? [], ...expected.anyScopes ?? []].join(" ");
            return refusal(403, {
                "www-authenticate": challenge({
                    error: "insufficient_scope",
                    error_description: description,
                    scope: required,
                }),
            }, { error: "insufficient_scope", error_description: description }, error);
        }
        return refusal(401, { "www-authenticate": challenge({ error: "invalid_token", error_description: description }) }, { error: "invalid_token", error_description: description }, error);
    }
}
function refusal(status, headers, body, error) {
    return { ok: false, status, headers, body, error };
}
/** A value of a challenge's quoted string, as RFC 6750 §3 allows: printable ASCII without `"` and `\`. */
function challengeText(text) {
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
function isDerivedJwt(claims) {
    return typeof claims === "object" && claims !== null && Object.hasOwn(claims, "globalid") &&
        claims.globalid === null;
}
/**
 * How long the token source waits after failed renewals, doubling from `first` to `cap` (each wait drawn from its
 * upper half, so a fleet does not retry in step): a refusal (400, 401, 403: the credentials or the refresh record
 * are wrong, and asking again will not fix them) waits longer than a failure that can heal (the network, a 5xx).
 */
const RENEWAL_BACKOFF = {
    failure: { firstMs: 1_000, capMs: 60_000 },
    refusal: { firstMs: 5_000, capMs: 120_000 },
};
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
function createTokenSource(options) {
    const { credentials, requestOptions, jwtOptions, validity, marginMs, clock, wallClock } = checkTokenSourceOptions(options);
    /** The longest life a JWT can have: what was asked for, or the server's 24 hours. */
    const asked = (validity ?? MAX_VALIDITY_SECONDS) * 1000;
    /** Something that lives `life` ms from now: renewed `refreshBefore` ahead, or at half-life when it lives no longer. */
    const cached = (value, life) => {
        const received = clock();
        return { value, renewAt: received + (life > marginMs ? life - marginMs : life / 2), validUntil: received + life };
    };
    async function newJwt(previous) {
        let issued;
        if (previous !== undefined && typeof decodeJwt(previous).refresh_token === "string") {
            try {
                issued = await requestRefresh(previous, { ...requestOptions, validity });
            }
            catch (error) {
                // 401: the refresh record is gone (30 days unused, or revoked); start over from the credentials.
                if (!(error instanceof ItsYouOnlineError && error.status === 401))
                    throw error;
            }
        }
        issued ??= await requestJwt(credentials, jwtOptions);
        return cached(issued.jwt, jwtLife(issued, wallClock(), asked));
    }
    async function newAccessToken() {
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
function checkTokenSourceOptions(options) {
    const checked = checkObject("options", options);
    const credentials = checkCredentials(checked);
    checkRequestOptions(checked);
    if (checked.now !== undefined && typeof checked.now !== "function") {
        throw invalidArgument("now must be a function returning milliseconds, like Date.now.");
    }
    const given = checked.now;
    const refreshBefore = checked.refreshBefore ?? 60;
    if (typeof refreshBefore !== "number" || !Number.isFinite(refreshBefore) || refreshBefore < 0) {
        throw invalidArgument("refreshBefore must be a number of seconds, 0 or more.");
    }
    const validity = checkValidity(checked.validity);
    if (validity !== undefined && validity <= refreshBefore) {
        throw invalidArgument(`validity (${validity} s) must be longer than refreshBefore (${refreshBefore} s), or every call would fetch a new JWT.`);
    }
    const { baseUrl, fetch, signal, timeout, retries, userAgent } = checked;
    const requestOptions = { baseUrl, fetch, signal, timeout, retries, userAgent };
    const jwtOptions = {
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
function jwtLife(issued, localNow, asked) {
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
function renewingCache(clock, wallClock, fetchValue) {
    let cached;
    let pending;
    let generation = 0;
    /**
     * Failed renewals in a row, and how many of the last ones were of the same kind (a refusal after a run of
     * network failures starts the refusal's steps from their first); the time (on `clock`) before which none is
     * tried again, and the error meanwhile.
     */
    let failures = 0;
    let streak = { kind: "failure", count: 0 };
    let retryAt = -Infinity;
    let paced;
    const valid = (entry) => entry !== undefined && clock() < entry.validUntil;
    function failed(error) {
        failures++;
        const refused = error instanceof ItsYouOnlineError && [400, 401, 403].includes(error.status ?? 0);
        const kind = refused ? "refusal" : "failure";
        streak = { kind, count: streak.kind === kind ? streak.count + 1 : 1 };
        const { firstMs, capMs } = RENEWAL_BACKOFF[kind];
        const step = Math.min(capMs, firstMs * 2 ** Math.min(streak.count - 1, 30));
        const wait = step / 2 + Math.random() * (step / 2);
        retryAt = clock() + wait;
        paced = error instanceof ItsYouOnlineError
            ? new ItsYouOnlineError(error.code, `${error.message} Nothing valid is cached, and after ${failures} failed renewal${failures === 1 ? "" : "s"} the token source tries again from ${new Date(wallClock() + wait).toISOString()} on; until then every call fails at once with this error (invalidate() tries at the next call).`, { status: error.status, endpoint: error.endpoint })
            : error;
    }
    function renew() {
        if (pending)
            return pending;
        const started = generation;
        const previous = cached;
        const request = fetchValue(previous?.value).then((fresh) => {
            if (started === generation) {
                cached = fresh;
                failures = 0;
                streak = { kind: "failure", count: 0 };
                retryAt = -Infinity;
                paced = undefined;
            }
            return fresh.value;
        }, (error) => {
            if (started !== generation)
                throw error;
            failed(error);
            if (!valid(previous))
                throw error;
            return previous.value;
        }).finally(() => {
            if (pending === request)
                pending = undefined;
        });
        pending = request;
        return request;
    }
    return {
        get() {
            const now = clock();
            if (!valid(cached)) {
                if (pending || now >= retryAt)
                    return renew();
                return Promise.reject(paced);
            }
            if (now >= cached.renewAt && now >= retryAt)
                renew().catch(() => { });
            return Promise.resolve(cached.value);
        },
        drop() {
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


/***/ }),

/***/ 1274:
/***/ ((__unused_webpack_module, __webpack_exports__, __nccwpck_require__) => {

/* harmony export */ __nccwpck_require__.d(__webpack_exports__, {
/* harmony export */   b: () => (/* binding */ COMMAND_FLAG),
/* harmony export */   d: () => (/* binding */ runCommand)
/* harmony export */ });
/* harmony import */ var _fetch_js__WEBPACK_IMPORTED_MODULE_0__ = __nccwpck_require__(7666);

/** The first argument that makes dist/index.js the command line instead of the action. */
const COMMAND_FLAG = "--itsyou-token";
/** Runs cli.ts with the arguments after {@linkcode COMMAND_FLAG}, its requests through the action's transport. */
async function runCommand() {
    process.argv.splice(2, 1);
    try {
        (0,_fetch_js__WEBPACK_IMPORTED_MODULE_0__/* .checkProxyEnvironment */ .mP)(process.env);
    }
    catch (error) {
        // Its message names the variable, never its value.
        process.stderr.write(`itsyou: ${error.code}: ${error.message}\n`);
        process.exitCode = 1;
        return;
    }
    const transport = (0,_fetch_js__WEBPACK_IMPORTED_MODULE_0__/* .createProxyAwareFetch */ .$F)(() => { });
    // This process exists only to run cli.ts, which calls mod.ts with the global fetch: the action's transport is it.
    globalThis.fetch = transport.fetch;
    try {
        await __nccwpck_require__.e(/* import() */ 712).then(__nccwpck_require__.bind(__nccwpck_require__, 1712));
    }
    finally {
        transport.close();
    }
}


/***/ }),

/***/ 7666:
/***/ ((__unused_webpack_module, __webpack_exports__, __nccwpck_require__) => {


// EXPORTS
__nccwpck_require__.d(__webpack_exports__, {
  bD: () => (/* binding */ PROXY_VARIABLES),
  mP: () => (/* binding */ checkProxyEnvironment),
  $F: () => (/* binding */ createProxyAwareFetch)
});

// EXTERNAL MODULE: external "node:http"
var external_node_http_ = __nccwpck_require__(7067);
;// CONCATENATED MODULE: external "node:https"
const external_node_https_namespaceObject = __WEBPACK_EXTERNAL_createRequire(import.meta.url)("node:https");
// EXTERNAL MODULE: ./mod.ts
var mod = __nccwpck_require__(3210);
;// CONCATENATED MODULE: ./src/fetch.ts
/**
 * A `fetch` for mod.ts built on Node's http client and the agent that
 * `@actions/http-client` picks, so runners behind a proxy work: it honours
 * HTTPS_PROXY, HTTP_PROXY and NO_PROXY (Node's global fetch ignores them).
 * It loads neither Node's global fetch (undici) nor web streams, which would
 * add to the action's cold start (see bench/).
 */



/** The proxy variables `@actions/http-client` reads (lower case first). */
const PROXY_VARIABLES = ["https_proxy", "HTTPS_PROXY", "http_proxy", "HTTP_PROXY"];
/**
 * Checks the proxy variables before any request, so that a value the action
 * accepts is one `@actions/http-client` uses as meant, and writes back each in
 * the form it reads:
 * - `host:port` without a scheme means `http://host:port`, as curl reads it;
 * - a blank (whitespace-only) variable is removed, so that, as for an empty one,
 *   `@actions/http-client` reads the other spelling (`https_proxy` is read
 *   before `HTTPS_PROXY`);
 * - refused, with an error naming the variable, never its value (it may hold a
 *   password): a value that is not a URL, a scheme other than http: and
 *   https: (socks5:), a path, query or fragment, a user name or password with a
 *   `%` that does not start a percent-escape (`@actions/http-client` would then
 *   silently connect without the proxy), and an IPv6 address (which its tunnel
 *   cannot connect to).
 */
function checkProxyEnvironment(env) {
    for (const name of PROXY_VARIABLES) {
        if (env[name] === undefined)
            continue;
        const value = env[name].trim();
        if (!value) {
            delete env[name];
            continue;
        }
        const refuse = (message) => {
            throw new mod/* ItsYouOnlineError */.bS("INVALID_ARGUMENT", message);
        };
        const notAProxy = `The environment variable ${name} is not a proxy URL; set it to http://host:port (or unset it).`;
        const withScheme = /^[a-z][a-z\d+.-]*:\/\//i.test(value) ? value : `http://${value}`;
        let url;
        try {
            url = new URL(withScheme);
        }
        catch {
            return refuse(notAProxy);
        }
        if (url.protocol !== "http:" && url.protocol !== "https:") {
            refuse(`The environment variable ${name} names a ${url.protocol.slice(0, -1)} proxy, which the action cannot use; set it to an http:// or https:// proxy (or unset it).`);
        }
        if (!url.hostname || url.search || url.hash || (url.pathname !== "/" && url.pathname !== ""))
            refuse(notAProxy);
        try {
            decodeURIComponent(url.username);
            decodeURIComponent(url.password);
        }
        catch {
            refuse(`The environment variable ${name} has a user name or password with a % that does not start a percent-escape; write a literal % as %25 (the action would otherwise connect without the proxy).`);
        }
        if (url.hostname.startsWith("[")) {
            refuse(`The environment variable ${name} names its proxy by an IPv6 address, which the action's proxy support cannot connect to; use a host name or an IPv4 address.`);
        }
        env[name] = withScheme;
    }
}
/**
 * The agent for a URL, and a `close` that ends its connections. keepAlive: sequential requests (the code flow's
 * exchange, then its JWT) share one connection and one TLS handshake. Without a proxy variable, Node's own
 * agents; with one, `@actions/http-client`'s (proxy, NO_PROXY, tunnel), a chunk of its own in dist/ loaded only
 * then: it and `undici`, which it imports, would be most of the action's start.
 */
function agents() {
    if (!PROXY_VARIABLES.some((name) => process.env[name]?.trim())) {
        const direct = { "https:": new external_node_https_namespaceObject.Agent({ keepAlive: true }), "http:": new external_node_http_.Agent({ keepAlive: true }) };
        return {
            agentFor: (url) => Promise.resolve(url.protocol === "https:" ? direct["https:"] : direct["http:"]),
            close: () => Object.values(direct).forEach((agent) => agent.destroy()),
        };
    }
    ignoreBufferDeprecation();
    const client = Promise.all(/* import() */[__nccwpck_require__.e(119), __nccwpck_require__.e(942)]).then(__nccwpck_require__.bind(__nccwpck_require__, 4942))
        .then(({ HttpClient }) => new HttpClient("itsyou-token-action", undefined, { keepAlive: true }));
    return {
        agentFor: async (url) => (await client).getAgent(url.href),
        close: () => void client.then((loaded) => loaded.dispose(), () => { }),
    };
}
/**
 * The tunnel agent bundled with `@actions/http-client` builds a proxy's credentials with `new Buffer()`, and Node
 * warns (DEP0005) about any code outside node_modules that does, which a bundle is. That warning, and only it,
 * says nothing the user can act on: it is not printed.
 */
function ignoreBufferDeprecation() {
    const emitWarning = process.emitWarning;
    process.emitWarning = ((warning, ...rest) => {
        const code = typeof rest[0] === "object" ? rest[0]?.code : rest[1];
        if (code === "DEP0005")
            return;
        return emitWarning.call(process, warning, ...rest);
    });
}
/** `onResponse` sees each answer's method, path and status, for the step's debug log. */
function createProxyAwareFetch(onResponse) {
    const { agentFor, close } = agents();
    const fetch = async (input, init) => {
        const url = new URL(input);
        const agent = await agentFor(url);
        return new Promise((resolve, reject) => {
            let answered = false;
            const send = url.protocol === "https:" ? external_node_https_namespaceObject.request : external_node_http_.request;
            const request = send(url, {
                method: init.method,
                headers: { ...init.headers, "content-length": String(Buffer.byteLength(init.body)) },
                agent,
                signal: init.signal,
            }, (message) => {
                answered = true;
                onResponse(`${init.method} ${url.pathname} → HTTP ${message.statusCode}`);
                resolve({
                    status: message.statusCode ?? 0,
                    headers: { get: (name) => headerValue(message.headers[name.toLowerCase()]) },
                    body: bodyOf(message),
                });
            });
            request.on("error", (error) => {
                // After an abort, the socket's own error (a reset) is an echo of it, not news.
                if (init.signal.aborted)
                    return;
                onResponse(`${init.method} ${url.pathname} → ${error.code ?? error.name}`);
                reject(error);
            });
            // Settle at once on abort: a request still waiting for a proxy's CONNECT answer emits nothing when destroyed.
            init.signal.addEventListener("abort", () => {
                if (!answered)
                    onResponse(`${init.method} ${url.pathname} → aborted`);
                request.destroy();
                reject(init.signal.reason);
            }, { once: true });
            request.end(init.body);
        });
    };
    return { fetch, close };
}
/** The body as the chunk reader mod.ts reads; an abort or a reset rejects `read()`. */
function bodyOf(message) {
    const chunks = message[Symbol.asyncIterator]();
    const cancel = () => {
        message.destroy();
        return Promise.resolve();
    };
    return {
        getReader: () => ({
            read: async () => {
                const { done, value } = await chunks.next();
                return done ? { done: true } : { done: false, value: value };
            },
            cancel,
        }),
        cancel,
    };
}
function headerValue(value) {
    if (value === undefined)
        return null;
    return Array.isArray(value) ? value.join(", ") : value;
}


/***/ }),

/***/ 9407:
/***/ ((module, __unused_webpack___webpack_exports__, __nccwpck_require__) => {

__nccwpck_require__.a(module, async (__webpack_handle_async_dependencies__, __webpack_async_result__) => { try {
/* harmony import */ var _command_js__WEBPACK_IMPORTED_MODULE_0__ = __nccwpck_require__(1274);
/* harmony import */ var _main_js__WEBPACK_IMPORTED_MODULE_1__ = __nccwpck_require__(4854);
/**
 * What the runner runs (dist/index.js). The process ends by itself once stdout is written: no process.exit()
 * drops lines that a slow reader of the log has not taken yet.
 *
 * With `--itsyou-token` first, it is the command line instead, as the launcher the action installs starts it
 * (src/command.ts; cli.ts is a chunk of its own, which the action never loads).
 */


if (process.argv[2] === _command_js__WEBPACK_IMPORTED_MODULE_0__/* .COMMAND_FLAG */ .b) {
    await (0,_command_js__WEBPACK_IMPORTED_MODULE_0__/* .runCommand */ .d)();
}
else {
    await (0,_main_js__WEBPACK_IMPORTED_MODULE_1__/* .run */ .e)(_main_js__WEBPACK_IMPORTED_MODULE_1__/* .checkRunnerEnvironment */ .m);
    // A proxy that never answers CONNECT leaves a socket that @actions/http-client's tunnel agent keeps to itself;
    // once stdout has drained, nothing is left to wait for.
    setTimeout(() => {
        if (process.stdout.writableLength === 0)
            process.exit();
        process.stdout.once("drain", () => process.exit());
    }, 1000).unref();
}

__webpack_async_result__();
} catch(e) { __webpack_async_result__(e); } }, 1);

/***/ }),

/***/ 4854:
/***/ ((__unused_webpack_module, __webpack_exports__, __nccwpck_require__) => {


// EXPORTS
__nccwpck_require__.d(__webpack_exports__, {
  m: () => (/* binding */ checkRunnerEnvironment),
  e: () => (/* binding */ run)
});

// EXTERNAL MODULE: ./mod.ts
var mod = __nccwpck_require__(3210);
// EXTERNAL MODULE: ./src/fetch.ts + 1 modules
var src_fetch = __nccwpck_require__(7666);
;// CONCATENATED MODULE: ./src/inputs.ts
/**
 * The action's inputs, read and checked before anything is sent. Messages name
 * the input and what it accepts, and never echo a secret.
 */

/**
 * Why a required input (a secret) can be empty, from the run's event: a pull
 * request from a fork and a Dependabot run get no Actions secrets.
 */
function emptySecretHint(event) {
    const pull = event?.payload.pull_request;
    const head = pull?.head?.repo?.full_name;
    if (event && pull && (pull.head?.repo?.fork === true || (head !== undefined && head !== pull.base?.repo?.full_name))) {
        return `This run comes from a pull request from the fork ${head ?? "(deleted)"}, and GitHub passes no secrets to such runs (event ${event.eventName}); run this step only for pushes and pull requests from this repository (if: github.event.pull_request.head.repo.full_name == github.repository).`;
    }
    if (event?.actor === "dependabot[bot]") {
        return "This run was started by Dependabot, which gets Dependabot secrets instead of Actions secrets; add the secret under Settings → Secrets and variables → Dependabot.";
    }
    return "Check that the secret exists (repository, environment or organization secret) and is passed to this step, e.g. client-secret: ${{ secrets.ITSYOU_CLIENT_SECRET }}.";
}
function invalid(message) {
    return new mod/* ItsYouOnlineError */.bS("INVALID_ARGUMENT", message);
}
/** A text input: single-line and bounded; "" is undefined, unless `required` says why it must not be empty. */
function textInput(getInput, name, required) {
    const value = getInput(name);
    if (value === "") {
        if (required)
            throw invalid(`Input ${name} is empty. ${required()}`);
        return undefined;
    }
    if ((0,mod/* hasControlCharacter */.Fd)(value)) {
        throw invalid(`Input ${name} contains a line break or another control character; it must be a single line.`);
    }
    if (value.length > mod/* LIMITS */.b1.textLength) {
        throw invalid(`Input ${name} is longer than ${mod/* LIMITS */.b1.textLength} characters.`);
    }
    return value;
}
/** A boolean input, as YAML 1.2's core schema spells one. */
function booleanInput(getInput, name) {
    const value = getInput(name);
    if (/^(true|True|TRUE)$/.test(value))
        return true;
    if (/^(false|False|FALSE)$/.test(value))
        return false;
    throw invalid(`Input ${name} must be true or false, not ${JSON.stringify(value.slice(0, 20))}.`);
}
/** A whole number from `min` to `max`, or undefined when empty. */
function integerInput(getInput, name, min, max, unit) {
    const value = getInput(name);
    if (value === "")
        return undefined;
    if (!/^\d+$/.test(value) || Number(value) < min || Number(value) > max) {
        throw invalid(`Input ${name} must be a whole number of ${unit} from ${min} to ${max}, not ${JSON.stringify(value.slice(0, 20))}.`);
    }
    return Number(value);
}
/** Seconds, decimals allowed, from `min` to `max`, as milliseconds; undefined when empty. */
function secondsInMilliseconds(getInput, name, min, max) {
    const value = getInput(name);
    if (value === "")
        return undefined;
    if (!/^\d+(\.\d+)?$/.test(value) || Number(value) < min || Number(value) > max) {
        throw invalid(`Input ${name} must be a number of seconds from ${min} to ${max}, not ${JSON.stringify(value.slice(0, 20))}.`);
    }
    return Math.round(Number(value) * 1000);
}
/** grant-type, with the code and redirect-uri the code flow needs. */
function grantInputs(getInput) {
    const grantType = getInput("grant-type") || "client_credentials";
    if (grantType !== "client_credentials" && grantType !== "authorization_code") {
        throw invalid(`Input grant-type must be client_credentials or authorization_code, not ${JSON.stringify(grantType.slice(0, 40))}.`);
    }
    const code = textInput(getInput, "code");
    const redirectUri = textInput(getInput, "redirect-uri");
    if (grantType === "authorization_code" && (!code || !redirectUri)) {
        throw invalid("Inputs code and redirect-uri are required for grant-type authorization_code.");
    }
    return { grantType, code, redirectUri };
}
/** base-url, or ItsYou.online's, as mod.ts accepts a base URL. */
function baseUrlInput(getInput) {
    const baseUrl = textInput(getInput, "base-url") ?? mod/* ITSYOU_ONLINE_URL */.yy;
    try {
        (0,mod/* resolveBaseUrl */.xj)(baseUrl);
    }
    catch (error) {
        throw invalid(`Input base-url is not usable: ${error.message}`);
    }
    return baseUrl;
}
/** Reads and checks every input; `hint` says why a required one is empty. */
function readInputs(getInput, hint = () => emptySecretHint(undefined)) {
    const text = (name) => textInput(getInput, name);
    const boolean = (name) => booleanInput(getInput, name);
    return {
        clientId: textInput(getInput, "client-id", hint),
        clientSecret: textInput(getInput, "client-secret", hint),
        ...grantInputs(getInput),
        baseUrl: baseUrlInput(getInput),
        state: text("state"),
        jwt: boolean("jwt"),
        scope: text("scope"),
        audience: text("audience"),
        validity: integerInput(getInput, "validity", 1, mod/* LIMITS */.b1.validitySeconds, "seconds"),
        refreshable: boolean("refreshable"),
        timeout: secondsInMilliseconds(getInput, "timeout", 0.1, 600) ?? mod/* DEFAULTS */.zY.timeoutMs,
        retries: integerInput(getInput, "retries", 0, mod/* LIMITS */.b1.retries, "retries") ?? mod/* DEFAULTS */.zY.retries,
        exportEnv: boolean("export-env"),
    };
}

;// CONCATENATED MODULE: external "node:fs"
const external_node_fs_namespaceObject = __WEBPACK_EXTERNAL_createRequire(import.meta.url)("node:fs");
;// CONCATENATED MODULE: external "node:os"
const external_node_os_namespaceObject = __WEBPACK_EXTERNAL_createRequire(import.meta.url)("node:os");
;// CONCATENATED MODULE: external "node:path"
const external_node_path_namespaceObject = __WEBPACK_EXTERNAL_createRequire(import.meta.url)("node:path");
// EXTERNAL MODULE: external "node:url"
var external_node_url_ = __nccwpck_require__(3136);
// EXTERNAL MODULE: ./src/command.ts
var command = __nccwpck_require__(1274);
;// CONCATENATED MODULE: ./src/launcher.ts
/**
 * The `itsyou-token` command for the rest of the job: a launcher in a folder of its own under RUNNER_TEMP, which
 * the action adds to the job's PATH (GITHUB_PATH). It runs this commit's dist/index.js as the command line
 * (src/command.ts) on the Node the action ran on, with the settings of the action's step: nothing is downloaded,
 * and a later step reaches the same server the same way without repeating anything.
 */






/**
 * What the command takes from the action's step, each only where the later step does not set its own: the
 * server, the CA that Node trusts beside its own (made absolute, as a later step may run elsewhere), and the
 * proxy variables. Nothing secret: tokens reach later steps only through outputs, or `export-env`.
 */
function carriedSettings(baseUrl, env) {
    const carried = [["ITSYOU_BASE_URL", baseUrl]];
    if (env.NODE_EXTRA_CA_CERTS)
        carried.push(["NODE_EXTRA_CA_CERTS", (0,external_node_path_namespaceObject.resolve)(env.NODE_EXTRA_CA_CERTS)]);
    for (const name of [...src_fetch/* PROXY_VARIABLES */.bD, "no_proxy", "NO_PROXY"]) {
        if (env[name]?.trim())
            carried.push([name, env[name]]);
    }
    return carried;
}
/** A POSIX shell word that is exactly `text`. */
const shellWord = (text) => `'${text.replace(/'/g, `'\\''`)}'`;
/** The launcher for sh (Linux, macOS, and Git Bash on Windows, which wants forward slashes). */
function shellLauncher(node, entry, carried, version) {
    const path = (file) => shellWord(process.platform === "win32" ? file.replace(/\\/g, "/") : file);
    return [
        "#!/bin/sh",
        `# itsyou-token ${version}, installed by itsyou-token-action for the rest of this job.`,
        ...carried.map(([name, value]) => `if [ -z "\${${name}:-}" ]; then ${name}=${shellWord(value)}; export ${name}; fi`),
        `exec ${path(node)} ${path(entry)} ${command/* COMMAND_FLAG */.b} "$@"`,
        "",
    ].join("\n");
}
/** The launcher for cmd and PowerShell on Windows; `%` is doubled, a value with `"` cannot be written there. */
function cmdLauncher(node, entry, carried, version) {
    const value = (text) => text.replace(/%/g, "%%");
    return [
        "@echo off",
        `rem itsyou-token ${version}, installed by itsyou-token-action for the rest of this job.`,
        "setlocal",
        ...carried.filter(([, text]) => !text.includes('"')).map(([name, text]) => `if not defined ${name} set "${name}=${value(text)}"`),
        `"${value(node)}" "${value(entry)}" ${command/* COMMAND_FLAG */.b} %*`,
        "",
    ].join("\r\n");
}
/**
 * Writes the launchers (`itsyou-token` for sh, and `itsyou-token.cmd` on Windows) into a new folder under
 * RUNNER_TEMP, readable by this user only, and returns the folder to add to the job's PATH.
 */
function installCommand(baseUrl, version, env = process.env) {
    const dir = (0,external_node_fs_namespaceObject.mkdtempSync)((0,external_node_path_namespaceObject.join)(env.RUNNER_TEMP || (0,external_node_os_namespaceObject.tmpdir)(), "itsyou-token-"));
    // dist/index.js, whichever of dist/'s files this code was bundled into.
    const entry = (0,external_node_path_namespaceObject.join)((0,external_node_path_namespaceObject.dirname)((0,external_node_url_.fileURLToPath)(import.meta.url)), "index.js");
    const carried = carriedSettings(baseUrl, env);
    (0,external_node_fs_namespaceObject.writeFileSync)((0,external_node_path_namespaceObject.join)(dir, "itsyou-token"), shellLauncher(process.execPath, entry, carried, version), { mode: 0o700 });
    (0,external_node_fs_namespaceObject.chmodSync)((0,external_node_path_namespaceObject.join)(dir, "itsyou-token"), 0o700);
    if (process.platform === "win32") {
        (0,external_node_fs_namespaceObject.writeFileSync)((0,external_node_path_namespaceObject.join)(dir, "itsyou-token.cmd"), cmdLauncher(process.execPath, entry, carried, version));
    }
    return dir;
}

;// CONCATENATED MODULE: ./package.json
const package_namespaceObject = {"rE":"1.0.0"};
;// CONCATENATED MODULE: ./src/main.ts





/** The one source of the version is package.json; tests hold deno.json and the npm package to it. */
const VERSION = package_namespaceObject.rE;
/**
 * Server-controlled text made safe for one log line: no line break or other
 * control character, and no workflow-command marker (`::`, `##[`) the runner
 * could act on.
 */
function forLog(text) {
    const oneLine = [...text].map((char) => ((0,mod/* hasControlCharacter */.Fd)(char) ? "\ufffd" : char)).join("");
    return oneLine.replace(/::/g, ":\u200b:").replace(/##\[/g, "#\u200b#[");
}
/** Text made safe for one cell of the job summary's HTML table: one line, escaped. */
function forHtml(text) {
    return forLog(text).replace(/[&<>"']/g, (char) => `&#${char.charCodeAt(0)};`);
}
/**
 * The run's event, read by `@actions/github` only when it is needed (an empty
 * secret). It is a chunk of its own in dist/, loaded only then: the success
 * path neither parses nor runs it (Octokit, undici).
 */
async function runEvent() {
    try {
        const { context } = await Promise.all(/* import() */[__nccwpck_require__.e(119), __nccwpck_require__.e(413)]).then(__nccwpck_require__.bind(__nccwpck_require__, 2413));
        return { eventName: context.eventName, actor: context.actor, payload: context.payload };
    }
    catch {
        return undefined;
    }
}
/**
 * Both calls' results. When one fails for good, the other is aborted (an abort is never retried), and the first
 * failure is thrown once both have ended: nothing is sent after the step has failed, and every debug line comes
 * before the error line.
 */
async function allOrNothing(stop, first, second) {
    let failure;
    const watch = (call) => call.catch((error) => {
        failure ??= { error };
        stop.abort();
        throw error;
    });
    const [a, b] = await Promise.allSettled([watch(first), watch(second)]);
    if (a.status === "rejected" || b.status === "rejected")
        throw failure.error;
    return [a.value, b.value];
}
/** The requests for these inputs; debug lines (method, path, status: nothing secret) go to `debug`. */
function request(inputs, fetch) {
    const stop = new AbortController();
    const repository = process.env.GITHUB_REPOSITORY ?? "";
    const requestOptions = {
        baseUrl: inputs.baseUrl,
        timeout: inputs.timeout,
        retries: inputs.retries,
        userAgent: `itsyou-token-action/${VERSION}${repository ? ` (${repository}; run ${process.env.GITHUB_RUN_ID ?? ""})` : ""}`,
        fetch: fetch.fetch,
        signal: stop.signal,
    };
    const credentials = { clientId: inputs.clientId, clientSecret: inputs.clientSecret };
    const jwtOptions = {
        scope: inputs.scope,
        audience: inputs.audience,
        validity: inputs.validity,
        refreshable: inputs.refreshable,
        ...requestOptions,
    };
    // Client credentials: the access token and the JWT (straight from the credentials, the same server function
    // and claims) in parallel, so neither waits for the other. The code flow needs the token for the JWT: that
    // second request reuses the kept-alive connection.
    const tokens = inputs.grantType === "client_credentials"
        ? allOrNothing(stop, (0,mod/* getAccessToken */.iD)({ ...credentials, ...requestOptions }), inputs.jwt ? (0,mod/* getJwt */.Yt)(credentials, jwtOptions) : Promise.resolve(undefined)).then(([token, jwt]) => ({ token, jwt }))
        : (0,mod/* exchangeCode */.Dd)({
            ...credentials,
            code: inputs.code,
            redirectUri: inputs.redirectUri,
            state: inputs.state,
            ...requestOptions,
        }).then(async (token) => ({ token, jwt: inputs.jwt ? await (0,mod/* getJwt */.Yt)(token, jwtOptions) : undefined }));
    return { tokens, cancel: () => stop.abort() };
}
/** An input as the runner passes it, before `@actions/core` is loaded: `INPUT_<NAME>`, trimmed, as `getInput`. */
const fromEnvironment = (name) => (process.env[`INPUT_${name.replace(/ /g, "_").toUpperCase()}`] ?? "").trim();
/**
 * The requests, started before `@actions/core` is evaluated so that its
 * evaluation overlaps their first round trip. On a runner every input is in
 * the environment, defaults included; where it is not (local-action applies
 * action.yml's defaults in its own `getInput`), nothing starts early.
 */
function startEarly(fetch, checkEnvironment) {
    try {
        const inputs = readInputs(fromEnvironment);
        checkEnvironment(inputs);
        const requests = request(inputs, fetch);
        requests.tokens.catch(() => { }); // reported, if it is used, where it is awaited
        return { inputs, requests };
    }
    catch {
        return undefined;
    }
}
/**
 * The runner's environment, checked before any request: the proxy variables,
 * and the runner's files this step writes (GITHUB_OUTPUT, and GITHUB_ENV with
 * export-env), without which `@actions/core` would print the values, secrets
 * included, on stdout as the commands the runner no longer accepts.
 */
function checkRunnerEnvironment(inputs) {
    (0,src_fetch/* checkProxyEnvironment */.mP)(process.env);
    for (const variable of inputs.exportEnv ? ["GITHUB_OUTPUT", "GITHUB_ENV"] : ["GITHUB_OUTPUT"]) {
        if (!process.env[variable]) {
            throw new mod/* ItsYouOnlineError */.bS("INVALID_ARGUMENT", `The environment variable ${variable} is not set; run this action as a step on a GitHub Actions runner.`);
        }
    }
}
/**
 * Runs the action. `checkEnvironment` runs before any request: dist/index.js, the runner's entry, passes
 * {@linkcode checkRunnerEnvironment}; `@github/local-action`, which calls `run()` itself and keeps outputs in its
 * own `@actions/core`, gets the default, which checks the proxy variables only.
 */
async function run(checkEnvironment = () => (0,src_fetch/* checkProxyEnvironment */.mP)(process.env)) {
    /** Debug lines (method, path, status: nothing secret) are held until every value is masked. */
    const held = [];
    let debug = (line) => void held.push(line);
    const fetch = (0,src_fetch/* createProxyAwareFetch */.$F)((line) => debug(line));
    const early = startEarly(fetch, checkEnvironment);
    // Node opens the connections on the next turn of the event loop: let it, then evaluate @actions/core.
    await new Promise((resolve) => setImmediate(resolve));
    const core = await Promise.all(/* import() */[__nccwpck_require__.e(119), __nccwpck_require__.e(942), __nccwpck_require__.e(143)]).then(__nccwpck_require__.bind(__nccwpck_require__, 143));
    /** Every value masked so far, so a debug log can redact them too. */
    const masked = [];
    /** Masks a value, and each of its lines, so a multi-line value cannot slip past the runner's masking. */
    const mask = (value) => {
        if (!value)
            return;
        for (const part of [value, ...value.split(/\r?\n/).map((line) => line.trim())]) {
            if (part && !masked.includes(part)) {
                core.setSecret(part);
                masked.push(part);
            }
        }
    };
    const printDebug = () => {
        debug = core.debug;
        held.splice(0).forEach((line) => core.debug(line));
    };
    // Every secret is masked before anything is printed: the inputs first, then what the server sent.
    mask(core.getInput("client-secret"));
    mask(core.getInput("code"));
    try {
        const getInput = (name) => core.getInput(name);
        const event = getInput("client-id") && getInput("client-secret") ? undefined : await runEvent();
        const inputs = readInputs(getInput, () => emptySecretHint(event));
        checkEnvironment(inputs);
        // What core reads is what counts: the early requests are used only if they were made for the same inputs.
        const same = early !== undefined && JSON.stringify(early.inputs) === JSON.stringify(inputs);
        if (!same)
            early?.requests.cancel();
        const { token, jwt } = await (same ? early.requests : request(inputs, fetch)).tokens;
        const claims = jwt ? (0,mod/* decodeJwt */.iU)(jwt) : undefined;
        mask(token.idToken);
        mask(token.accessToken);
        mask(jwt);
        mask(claims?.refresh_token);
        printDebug();
        await writeOutputs(core, inputs, token, jwt, claims);
    }
    catch (error) {
        early?.requests.cancel();
        printDebug();
        core.setFailed(`itsyou-token-action: ${describe(core, error, masked)}`);
    }
    finally {
        fetch.close();
    }
}
async function writeOutputs(core, inputs, token, jwt, claims) {
    const outputs = [
        ["access-token", token.accessToken],
        ["token-type", token.tokenType],
        ["expires-in", String(token.expiresIn)],
        ["expires-at", token.expiresAt.toISOString()],
        ["scope", token.scopes.join(",")],
        ["username", token.username ?? ""],
        ["id-token", token.idToken ?? ""],
    ];
    if (jwt && claims) {
        outputs.push(["jwt", jwt], ["jwt-expires-at", typeof claims.exp === "number" ? new Date(claims.exp * 1000).toISOString() : ""], ["globalid", typeof claims.globalid === "string" ? claims.globalid : ""]);
    }
    runnerFile("GITHUB_OUTPUT", () => outputs.forEach(([name, value]) => core.setOutput(name, value)));
    const baseUrl = (0,mod/* resolveBaseUrl */.xj)(inputs.baseUrl).href;
    if (inputs.exportEnv) {
        runnerFile("GITHUB_ENV", () => {
            core.exportVariable("ITSYOU_ACCESS_TOKEN", token.accessToken);
            if (jwt)
                core.exportVariable("ITSYOU_JWT", jwt);
            // Whatever later reads these tokens must send them back to the server that issued them.
            core.exportVariable("ITSYOU_BASE_URL", baseUrl);
        });
    }
    const server = new URL(baseUrl).host;
    const subject = token.username ??
        (typeof claims?.globalid === "string" && claims.globalid ? claims.globalid : inputs.clientId);
    core.info(`Got an access token${jwt ? " and a JWT" : ""} for ${forLog(subject)} from ${server}.`);
    const command = addCommand(core, baseUrl);
    await writeSummary(core, token, claims, server, command);
}
/**
 * Puts `itsyou-token` on the job's PATH for later steps (src/launcher.ts), where the runner has a GITHUB_PATH
 * file. Not having it fails nothing: the tokens are out; a warning says why the command is missing.
 */
function addCommand(core, baseUrl) {
    if (!process.env.GITHUB_PATH) {
        core.debug("GITHUB_PATH is not set: itsyou-token is not installed for later steps.");
        return false;
    }
    try {
        core.addPath(installCommand(baseUrl, VERSION));
        return true;
    }
    catch (error) {
        core.warning(`Cannot install the itsyou-token command for later steps (${fileErrorCode(error) ?? "unexpected error"}); the outputs are set. Check that RUNNER_TEMP names a writable folder and GITHUB_PATH a writable file.`);
        return false;
    }
}
/** What went wrong with a runner's file: an errno (EISDIR, EACCES…), or @actions/core's check that it exists. */
function fileErrorCode(error) {
    const code = error.code;
    if (typeof code === "string")
        return code;
    return /^Missing file at path/.test(error.message) ? "no such file" : undefined;
}
/**
 * Runs `write`, which appends to the runner's file `variable` names; a file
 * that cannot be written is one error naming the variable and the path, not
 * an unexpected one.
 */
function runnerFile(variable, write) {
    try {
        write();
    }
    catch (error) {
        const code = fileErrorCode(error);
        if (code === undefined)
            throw error;
        throw new mod/* ItsYouOnlineError */.bS("INVALID_ARGUMENT", `Cannot write the runner's file ${variable} (${forLog(process.env[variable] ?? "")}): ${code}. Check that the step runs on a GitHub Actions runner and that ${variable} names a writable file.`);
    }
}
/** mod.ts's option names, in a message, as the action's inputs name them. */
const INPUT_NAMES = [
    [/\bbaseUrl\b/g, "base-url"],
    [/\bclientId\b/g, "client-id"],
    [/\bclientSecret\b/g, "client-secret"],
    [/\bredirectUri\b/g, "redirect-uri"],
    [/\brefreshable: true\b/g, 'refreshable: "true"'],
];
/** A message of mod.ts's, naming inputs as the action does. */
function inActionWords(message) {
    return INPUT_NAMES.reduce((text, [option, input]) => text.replace(option, input), message);
}
/**
 * An ItsYouOnlineError's message is secret-free by contract; anything else is
 * reported by name only, with the details in the debug log (masked values
 * redacted there too).
 */
function describe(core, error, masked) {
    if (error instanceof mod/* ItsYouOnlineError */.bS)
        return `${inActionWords(error.message)} [${error.code}]`;
    const details = error instanceof Error ? `${error.name}: ${error.message}\n${error.stack ?? ""}` : String(error);
    core.debug(masked.reduce((text, secret) => text.split(secret).join("***"), details));
    return `unexpected ${error instanceof Error ? error.name : typeof error}; run with ACTIONS_STEP_DEBUG for details.`;
}
/** The job summary, where the runner has one; one that cannot be written is a warning, not a failed step. */
async function writeSummary(core, token, claims, server, command) {
    if (!process.env.GITHUB_STEP_SUMMARY)
        return;
    const subject = token.username ? `user ${token.username}` : `organization ${claims?.globalid ?? "(see the JWT)"}`;
    const rows = [
        ["Subject", subject],
        ["Server", server],
        ["Access token scopes", token.scopes.join(", ") || "(none)"],
        ["Access token expires", token.expiresAt.toISOString()],
    ];
    if (claims) {
        rows.push(["JWT scopes", Array.isArray(claims.scope) ? claims.scope.join(", ") : "(none)"]);
        const audiences = Array.isArray(claims.aud) ? claims.aud.join(", ") : claims.aud ?? "(none)";
        rows.push(["JWT audiences", String(audiences)]);
        rows.push(["JWT expires", typeof claims.exp === "number" ? new Date(claims.exp * 1000).toISOString() : "(no exp)"]);
        rows.push(["Refreshable", claims.refresh_token ? "yes" : "no"]);
    }
    if (command) {
        rows.push([
            "Later steps",
            claims?.refresh_token
                ? `itsyou-token --refresh (on PATH) renews ITSYOU_JWT at ${server}`
                : `itsyou-token (on PATH) reaches ${server}`,
        ]);
    }
    // The run, from the runner's variables, as @actions/github reads them.
    if (process.env.GITHUB_REPOSITORY) {
        rows.push(["Workflow run", `${process.env.GITHUB_REPOSITORY} run ${process.env.GITHUB_RUN_ID ?? ""}`]);
    }
    // Values from the server are data: one line each, escaped, since the summary is an HTML table.
    const cells = rows.map(([item, value]) => `<tr><td>${forHtml(item)}</td><td>${forHtml(value)}</td></tr>`).join("");
    const html = `<h3>ItsYou.online token</h3>\n<table><tr><th>Item</th><th>Value</th></tr>${cells}</table>\n`;
    try {
        await core.summary.addRaw(html).write();
    }
    catch {
        core.warning(`Cannot write the job summary (GITHUB_STEP_SUMMARY ${forLog(process.env.GITHUB_STEP_SUMMARY)}); the outputs are set. Check that GITHUB_STEP_SUMMARY names a writable file.`);
    }
}


/***/ }),

/***/ 2613:
/***/ ((module) => {

module.exports = __WEBPACK_EXTERNAL_createRequire(import.meta.url)("assert");

/***/ }),

/***/ 5317:
/***/ ((module) => {

module.exports = __WEBPACK_EXTERNAL_createRequire(import.meta.url)("child_process");

/***/ }),

/***/ 6982:
/***/ ((module) => {

module.exports = __WEBPACK_EXTERNAL_createRequire(import.meta.url)("crypto");

/***/ }),

/***/ 4434:
/***/ ((module) => {

module.exports = __WEBPACK_EXTERNAL_createRequire(import.meta.url)("events");

/***/ }),

/***/ 9896:
/***/ ((module) => {

module.exports = __WEBPACK_EXTERNAL_createRequire(import.meta.url)("fs");

/***/ }),

/***/ 8611:
/***/ ((module) => {

module.exports = __WEBPACK_EXTERNAL_createRequire(import.meta.url)("http");

/***/ }),

/***/ 5692:
/***/ ((module) => {

module.exports = __WEBPACK_EXTERNAL_createRequire(import.meta.url)("https");

/***/ }),

/***/ 9278:
/***/ ((module) => {

module.exports = __WEBPACK_EXTERNAL_createRequire(import.meta.url)("net");

/***/ }),

/***/ 4589:
/***/ ((module) => {

module.exports = __WEBPACK_EXTERNAL_createRequire(import.meta.url)("node:assert");

/***/ }),

/***/ 6698:
/***/ ((module) => {

module.exports = __WEBPACK_EXTERNAL_createRequire(import.meta.url)("node:async_hooks");

/***/ }),

/***/ 4573:
/***/ ((module) => {

module.exports = __WEBPACK_EXTERNAL_createRequire(import.meta.url)("node:buffer");

/***/ }),

/***/ 7540:
/***/ ((module) => {

module.exports = __WEBPACK_EXTERNAL_createRequire(import.meta.url)("node:console");

/***/ }),

/***/ 7598:
/***/ ((module) => {

module.exports = __WEBPACK_EXTERNAL_createRequire(import.meta.url)("node:crypto");

/***/ }),

/***/ 3053:
/***/ ((module) => {

module.exports = __WEBPACK_EXTERNAL_createRequire(import.meta.url)("node:diagnostics_channel");

/***/ }),

/***/ 610:
/***/ ((module) => {

module.exports = __WEBPACK_EXTERNAL_createRequire(import.meta.url)("node:dns");

/***/ }),

/***/ 8474:
/***/ ((module) => {

module.exports = __WEBPACK_EXTERNAL_createRequire(import.meta.url)("node:events");

/***/ }),

/***/ 1455:
/***/ ((module) => {

module.exports = __WEBPACK_EXTERNAL_createRequire(import.meta.url)("node:fs/promises");

/***/ }),

/***/ 7067:
/***/ ((module) => {

module.exports = __WEBPACK_EXTERNAL_createRequire(import.meta.url)("node:http");

/***/ }),

/***/ 2467:
/***/ ((module) => {

module.exports = __WEBPACK_EXTERNAL_createRequire(import.meta.url)("node:http2");

/***/ }),

/***/ 7030:
/***/ ((module) => {

module.exports = __WEBPACK_EXTERNAL_createRequire(import.meta.url)("node:net");

/***/ }),

/***/ 643:
/***/ ((module) => {

module.exports = __WEBPACK_EXTERNAL_createRequire(import.meta.url)("node:perf_hooks");

/***/ }),

/***/ 1708:
/***/ ((module) => {

module.exports = __WEBPACK_EXTERNAL_createRequire(import.meta.url)("node:process");

/***/ }),

/***/ 1792:
/***/ ((module) => {

module.exports = __WEBPACK_EXTERNAL_createRequire(import.meta.url)("node:querystring");

/***/ }),

/***/ 7075:
/***/ ((module) => {

module.exports = __WEBPACK_EXTERNAL_createRequire(import.meta.url)("node:stream");

/***/ }),

/***/ 1692:
/***/ ((module) => {

module.exports = __WEBPACK_EXTERNAL_createRequire(import.meta.url)("node:tls");

/***/ }),

/***/ 3136:
/***/ ((module) => {

module.exports = __WEBPACK_EXTERNAL_createRequire(import.meta.url)("node:url");

/***/ }),

/***/ 7975:
/***/ ((module) => {

module.exports = __WEBPACK_EXTERNAL_createRequire(import.meta.url)("node:util");

/***/ }),

/***/ 3429:
/***/ ((module) => {

module.exports = __WEBPACK_EXTERNAL_createRequire(import.meta.url)("node:util/types");

/***/ }),

/***/ 5919:
/***/ ((module) => {

module.exports = __WEBPACK_EXTERNAL_createRequire(import.meta.url)("node:worker_threads");

/***/ }),

/***/ 8522:
/***/ ((module) => {

module.exports = __WEBPACK_EXTERNAL_createRequire(import.meta.url)("node:zlib");

/***/ }),

/***/ 857:
/***/ ((module) => {

module.exports = __WEBPACK_EXTERNAL_createRequire(import.meta.url)("os");

/***/ }),

/***/ 6928:
/***/ ((module) => {

module.exports = __WEBPACK_EXTERNAL_createRequire(import.meta.url)("path");

/***/ }),

/***/ 3193:
/***/ ((module) => {

module.exports = __WEBPACK_EXTERNAL_createRequire(import.meta.url)("string_decoder");

/***/ }),

/***/ 3557:
/***/ ((module) => {

module.exports = __WEBPACK_EXTERNAL_createRequire(import.meta.url)("timers");

/***/ }),

/***/ 4756:
/***/ ((module) => {

module.exports = __WEBPACK_EXTERNAL_createRequire(import.meta.url)("tls");

/***/ }),

/***/ 9023:
/***/ ((module) => {

module.exports = __WEBPACK_EXTERNAL_createRequire(import.meta.url)("util");

/***/ })

/******/ });
/************************************************************************/
/******/ // The module cache
/******/ var __webpack_module_cache__ = {};
/******/ 
/******/ // The require function
/******/ function __nccwpck_require__(moduleId) {
/******/ 	// Check if module is in cache
/******/ 	var cachedModule = __webpack_module_cache__[moduleId];
/******/ 	if (cachedModule !== undefined) {
/******/ 		return cachedModule.exports;
/******/ 	}
/******/ 	// Create a new module (and put it into the cache)
/******/ 	var module = __webpack_module_cache__[moduleId] = {
/******/ 		// no module.id needed
/******/ 		// no module.loaded needed
/******/ 		exports: {}
/******/ 	};
/******/ 
/******/ 	// Execute the module function
/******/ 	var threw = true;
/******/ 	try {
/******/ 		__webpack_modules__[moduleId].call(module.exports, module, module.exports, __nccwpck_require__);
/******/ 		threw = false;
/******/ 	} finally {
/******/ 		if(threw) delete __webpack_module_cache__[moduleId];
/******/ 	}
/******/ 
/******/ 	// Return the exports of the module
/******/ 	return module.exports;
/******/ }
/******/ 
/******/ // expose the modules object (__webpack_modules__)
/******/ __nccwpck_require__.m = __webpack_modules__;
/******/ 
/************************************************************************/
/******/ /* webpack/runtime/asset-relocator-loader */
/******/ if (typeof __nccwpck_require__ !== 'undefined') __nccwpck_require__.ab = decodeURIComponent(new URL('.', import.meta.url).pathname).slice(import.meta.url.match(/^file:\/\/\/\w:/) ? 1 : 0, -1) + "/";
/******/ 
/******/ /* webpack/runtime/async module */
/******/ (() => {
/******/ 	var webpackQueues = typeof Symbol === "function" ? Symbol("webpack queues") : "__webpack_queues__";
/******/ 	var webpackExports = typeof Symbol === "function" ? Symbol("webpack exports") : "__webpack_exports__";
/******/ 	var webpackError = typeof Symbol === "function" ? Symbol("webpack error") : "__webpack_error__";
/******/ 	var resolveQueue = (queue) => {
/******/ 		if(queue && queue.d < 1) {
/******/ 			queue.d = 1;
/******/ 			queue.forEach((fn) => (fn.r--));
/******/ 			queue.forEach((fn) => (fn.r-- ? fn.r++ : fn()));
/******/ 		}
/******/ 	}
/******/ 	var wrapDeps = (deps) => (deps.map((dep) => {
/******/ 		if(dep !== null && typeof dep === "object") {
/******/ 			if(dep[webpackQueues]) return dep;
/******/ 			if(dep.then) {
/******/ 				var queue = [];
/******/ 				queue.d = 0;
/******/ 				dep.then((r) => {
/******/ 					obj[webpackExports] = r;
/******/ 					resolveQueue(queue);
/******/ 				}, (e) => {
/******/ 					obj[webpackError] = e;
/******/ 					resolveQueue(queue);
/******/ 				});
/******/ 				var obj = {};
/******/ 				obj[webpackQueues] = (fn) => (fn(queue));
/******/ 				return obj;
/******/ 			}
/******/ 		}
/******/ 		var ret = {};
/******/ 		ret[webpackQueues] = x => {};
/******/ 		ret[webpackExports] = dep;
/******/ 		return ret;
/******/ 	}));
/******/ 	__nccwpck_require__.a = (module, body, hasAwait) => {
/******/ 		var queue;
/******/ 		hasAwait && ((queue = []).d = -1);
/******/ 		var depQueues = new Set();
/******/ 		var exports = module.exports;
/******/ 		var currentDeps;
/******/ 		var outerResolve;
/******/ 		var reject;
/******/ 		var promise = new Promise((resolve, rej) => {
/******/ 			reject = rej;
/******/ 			outerResolve = resolve;
/******/ 		});
/******/ 		promise[webpackExports] = exports;
/******/ 		promise[webpackQueues] = (fn) => (queue && fn(queue), depQueues.forEach(fn), promise["catch"](x => {}));
/******/ 		module.exports = promise;
/******/ 		body((deps) => {
/******/ 			currentDeps = wrapDeps(deps);
/******/ 			var fn;
/******/ 			var getResult = () => (currentDeps.map((d) => {
/******/ 				if(d[webpackError]) throw d[webpackError];
/******/ 				return d[webpackExports];
/******/ 			}))
/******/ 			var promise = new Promise((resolve) => {
/******/ 				fn = () => (resolve(getResult));
/******/ 				fn.r = 0;
/******/ 				var fnQueue = (q) => (q !== queue && !depQueues.has(q) && (depQueues.add(q), q && !q.d && (fn.r++, q.push(fn))));
/******/ 				currentDeps.map((dep) => (dep[webpackQueues](fnQueue)));
/******/ 			});
/******/ 			return fn.r ? promise : getResult();
/******/ 		}, (err) => ((err ? reject(promise[webpackError] = err) : outerResolve(exports)), resolveQueue(queue)));
/******/ 		queue && queue.d < 0 && (queue.d = 0);
/******/ 	};
/******/ })();
/******/ 
/******/ /* webpack/runtime/compat get default export */
/******/ (() => {
/******/ 	// getDefaultExport function for compatibility with non-harmony modules
/******/ 	__nccwpck_require__.n = (module) => {
/******/ 		var getter = module && module.__esModule ?
/******/ 			() => (module['default']) :
/******/ 			() => (module);
/******/ 		__nccwpck_require__.d(getter, { a: getter });
/******/ 		return getter;
/******/ 	};
/******/ })();
/******/ 
/******/ /* webpack/runtime/create fake namespace object */
/******/ (() => {
/******/ 	var getProto = Object.getPrototypeOf ? (obj) => (Object.getPrototypeOf(obj)) : (obj) => (obj.__proto__);
/******/ 	var leafPrototypes;
/******/ 	// create a fake namespace object
/******/ 	// mode & 1: value is a module id, require it
/******/ 	// mode & 2: merge all properties of value into the ns
/******/ 	// mode & 4: return value when already ns object
/******/ 	// mode & 16: return value when it's Promise-like
/******/ 	// mode & 8|1: behave like require
/******/ 	__nccwpck_require__.t = function(value, mode) {
/******/ 		if(mode & 1) value = this(value);
/******/ 		if(mode & 8) return value;
/******/ 		if(typeof value === 'object' && value) {
/******/ 			if((mode & 4) && value.__esModule) return value;
/******/ 			if((mode & 16) && typeof value.then === 'function') return value;
/******/ 		}
/******/ 		var ns = Object.create(null);
/******/ 		__nccwpck_require__.r(ns);
/******/ 		var def = {};
/******/ 		leafPrototypes = leafPrototypes || [null, getProto({}), getProto([]), getProto(getProto)];
/******/ 		for(var current = mode & 2 && value; typeof current == 'object' && !~leafPrototypes.indexOf(current); current = getProto(current)) {
/******/ 			Object.getOwnPropertyNames(current).forEach((key) => (def[key] = () => (value[key])));
/******/ 		}
/******/ 		def['default'] = () => (value);
/******/ 		__nccwpck_require__.d(ns, def);
/******/ 		return ns;
/******/ 	};
/******/ })();
/******/ 
/******/ /* webpack/runtime/define property getters */
/******/ (() => {
/******/ 	// define getter functions for harmony exports
/******/ 	__nccwpck_require__.d = (exports, definition) => {
/******/ 		for(var key in definition) {
/******/ 			if(__nccwpck_require__.o(definition, key) && !__nccwpck_require__.o(exports, key)) {
/******/ 				Object.defineProperty(exports, key, { enumerable: true, get: definition[key] });
/******/ 			}
/******/ 		}
/******/ 	};
/******/ })();
/******/ 
/******/ /* webpack/runtime/ensure chunk */
/******/ (() => {
/******/ 	__nccwpck_require__.f = {};
/******/ 	// This file contains only the entry chunk.
/******/ 	// The chunk loading function for additional chunks
/******/ 	__nccwpck_require__.e = (chunkId) => {
/******/ 		return Promise.all(Object.keys(__nccwpck_require__.f).reduce((promises, key) => {
/******/ 			__nccwpck_require__.f[key](chunkId, promises);
/******/ 			return promises;
/******/ 		}, []));
/******/ 	};
/******/ })();
/******/ 
/******/ /* webpack/runtime/get javascript chunk filename */
/******/ (() => {
/******/ 	// This function allow to reference async chunks
/******/ 	__nccwpck_require__.u = (chunkId) => {
/******/ 		// return url for filenames based on template
/******/ 		return "" + chunkId + ".index.js";
/******/ 	};
/******/ })();
/******/ 
/******/ /* webpack/runtime/hasOwnProperty shorthand */
/******/ (() => {
/******/ 	__nccwpck_require__.o = (obj, prop) => (Object.prototype.hasOwnProperty.call(obj, prop))
/******/ })();
/******/ 
/******/ /* webpack/runtime/make namespace object */
/******/ (() => {
/******/ 	// define __esModule on exports
/******/ 	__nccwpck_require__.r = (exports) => {
/******/ 		if(typeof Symbol !== 'undefined' && Symbol.toStringTag) {
/******/ 			Object.defineProperty(exports, Symbol.toStringTag, { value: 'Module' });
/******/ 		}
/******/ 		Object.defineProperty(exports, '__esModule', { value: true });
/******/ 	};
/******/ })();
/******/ 
/******/ /* webpack/runtime/import chunk loading */
/******/ (() => {
/******/ 	// no baseURI
/******/ 	
/******/ 	// object to store loaded and loading chunks
/******/ 	// undefined = chunk not loaded, null = chunk preloaded/prefetched
/******/ 	// [resolve, Promise] = chunk loading, 0 = chunk loaded
/******/ 	var installedChunks = {
/******/ 		792: 0
/******/ 	};
/******/ 	
/******/ 	var installChunk = (data) => {
/******/ 		var {ids, modules, runtime} = data;
/******/ 		// add "modules" to the modules object,
/******/ 		// then flag all "ids" as loaded and fire callback
/******/ 		var moduleId, chunkId, i = 0;
/******/ 		for(moduleId in modules) {
/******/ 			if(__nccwpck_require__.o(modules, moduleId)) {
/******/ 				__nccwpck_require__.m[moduleId] = modules[moduleId];
/******/ 			}
/******/ 		}
/******/ 		if(runtime) runtime(__nccwpck_require__);
/******/ 		for(;i < ids.length; i++) {
/******/ 			chunkId = ids[i];
/******/ 			if(__nccwpck_require__.o(installedChunks, chunkId) && installedChunks[chunkId]) {
/******/ 				installedChunks[chunkId][0]();
/******/ 			}
/******/ 			installedChunks[ids[i]] = 0;
/******/ 		}
/******/ 	
/******/ 	}
/******/ 	
/******/ 	__nccwpck_require__.f.j = (chunkId, promises) => {
/******/ 			// import() chunk loading for javascript
/******/ 			var installedChunkData = __nccwpck_require__.o(installedChunks, chunkId) ? installedChunks[chunkId] : undefined;
/******/ 			if(installedChunkData !== 0) { // 0 means "already installed".
/******/ 	
/******/ 				// a Promise means "currently loading".
/******/ 				if(installedChunkData) {
/******/ 					promises.push(installedChunkData[1]);
/******/ 				} else {
/******/ 					if(true) { // all chunks have JS
/******/ 						// setup Promise in chunk cache
/******/ 						var promise = import("./" + __nccwpck_require__.u(chunkId)).then(installChunk, (e) => {
/******/ 							if(installedChunks[chunkId] !== 0) installedChunks[chunkId] = undefined;
/******/ 							throw e;
/******/ 						});
/******/ 						var promise = Promise.race([promise, new Promise((resolve) => (installedChunkData = installedChunks[chunkId] = [resolve]))])
/******/ 						promises.push(installedChunkData[1] = promise);
/******/ 					}
/******/ 				}
/******/ 			}
/******/ 	};
/******/ 	
/******/ 	// no prefetching
/******/ 	
/******/ 	// no preloaded
/******/ 	
/******/ 	// no external install chunk
/******/ 	
/******/ 	// no on chunks loaded
/******/ })();
/******/ 
/************************************************************************/
/******/ 
/******/ // startup
/******/ // Load entry module and return exports
/******/ // This entry module used 'module' so it can't be inlined
/******/ var __webpack_exports__ = __nccwpck_require__(9407);
/******/ __webpack_exports__ = await __webpack_exports__;
/******/ 
