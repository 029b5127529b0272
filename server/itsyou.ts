/**
 * An ItsYou.online-compatible identity server for tests, demos and benchmarks.
 *
 * It follows `docs/protocol.md` (read from the real server's source) byte for
 * byte on the OAuth endpoints, in that document's order: one handler per
 * endpoint. State lives in memory; time comes from a clock the tests can move.
 * Faults are not here: `faults.ts` wraps these handlers.
 *
 * Deliberate simplifications (none changes what a client sees on the wire for
 * the cases it models): no login or consent page (a configured user is always
 * logged in and consents), one grant list per user for every organization,
 * random refresh tokens from a CSPRNG.
 */
import { createPublicKey, generateKeyPairSync, randomBytes, sign, verify } from "node:crypto";
import type { KeyObject } from "node:crypto";
import type { IncomingMessage, ServerResponse } from "node:http";

/** An organization API key (`client_id` is the organization's globalid). */
export interface OrganizationKey {
  globalId: string;
  secret: string;
  /** The "client credentials" checkbox. */
  clientCredentials: boolean;
  callbackUrl: string;
}

/** A user API key. */
export interface UserKey {
  applicationId: string;
  secret: string;
  username: string;
  /** `["user:admin"]` for every key the server creates; several are joined with a space (§2.3). */
  scopes?: string[];
}

export interface User {
  username: string;
  name: string;
  email: string;
  memberOf: string[];
  grants: string[];
}

export interface Registry {
  organizations: OrganizationKey[];
  userKeys: UserKey[];
  users: User[];
  /** The user the authorize endpoint treats as logged in and consenting; none sends it to /login. */
  loggedInAs?: string;
}

interface StoredToken {
  username: string;
  globalId: string;
  clientId: string;
  scope: string;
  createdAt: number;
}

interface AuthorizationRequest {
  clientId: string;
  username: string;
  redirectUrl: string;
  state: string;
  scope: string;
  createdAt: number;
}

interface RefreshRecord {
  scopes: string[];
  username: string;
  lastUsed: number;
}

type Claims = Record<string, unknown>;

/** A request handler that gets the request body already read (the server records it first). */
export type BodyHandler = (request: IncomingMessage, response: ServerResponse, body: string) => void;
type Form = Map<string, string>;

const DAY = 86_400_000;
const CODE_LIFETIME = 10_000;
const REFRESH_LIFETIME = 30 * DAY;
const JWT_HEADER = base64url(Buffer.from('{"alg":"ES384","typ":"JWT"}'));

const STATUS_TEXT: Record<number, string> = {
  200: "OK",
  301: "Moved Permanently",
  302: "Found",
  400: "Bad Request",
  401: "Unauthorized",
  404: "Not Found",
  500: "Internal Server Error",
};

/** Thrown by a handler to answer the way Go's `http.Error` does. */
class HttpError extends Error {
  status: number;
  constructor(status: number) {
    super(STATUS_TEXT[status]);
    this.status = status;
  }
}

/** A handler's panic: the real server's RecoveryHandler answers 500 with an empty body. */
class Panic extends Error {}

export interface ItsYouServerState {
  /** The server's ES384 public key (SPKI PEM), new for every server. */
  publicKey: string;
  privateKey: KeyObject;
  /** Milliseconds the server's clock runs ahead of the real one. */
  clockOffset: number;
}

export function createState(): ItsYouServerState {
  const { privateKey, publicKey } = generateKeyPairSync("ec", { namedCurve: "P-384" });
  return {
    publicKey: publicKey.export({ type: "spki", format: "pem" }).toString(),
    privateKey,
    clockOffset: 0,
  };
}

/** Builds the request handler of a server that knows `registry`. */
export function createItsYouHandler(
  registry: Registry,
  state: ItsYouServerState,
): BodyHandler {
  const tokens = new Map<string, StoredToken>();
  const codes = new Map<string, AuthorizationRequest>();
  const refreshRecords = new Map<string, RefreshRecord>();
  const now = (): number => Date.now() + state.clockOffset;
  const publicKey = createPublicKey(state.publicKey);

  // -------------------------------------------------------------------------
  // §1 Cross-cutting: routes, form parsing, errors
  // -------------------------------------------------------------------------

  /** A handler calls `parseForm` itself, as the Go handlers call `r.ParseForm()` after setting headers. */
  type Handler = (request: IncomingMessage, parseForm: () => Form, response: ServerResponse) => void;
  const routes: Record<string, Record<string, Handler>> = {
    "/v1/oauth/access_token": { POST: accessToken, OPTIONS: preflight("POST", true) },
    "/v1/oauth/jwt": { GET: jwt, POST: jwt, OPTIONS: preflight("GET,POST", false) },
    "/v1/oauth/jwt/refresh": { GET: refresh, POST: refresh, OPTIONS: preflight("GET,POST", false) },
    "/v1/oauth/authorize": { GET: authorize, OPTIONS: preflight("GET", false) },
  };

  return (request, response, body) => {
    // Go's server dates every answer by its own clock, which tests may move.
    response.setHeader("Date", new Date(now()).toUTCString());
    const url = new URL(request.url ?? "/", "http://localhost");
    const route = routes[url.pathname];
    // StrictSlash(true): a known route with a trailing slash redirects to the route.
    if (!route && url.pathname.endsWith("/") && routes[url.pathname.slice(0, -1)]) {
      return redirect(response, request.method ?? "", 301, url.pathname.slice(0, -1) + url.search);
    }
    const handler = route?.[request.method ?? ""];
    // Old gorilla/mux has no 405: a wrong method is a plain 404.
    if (!handler) return writeText(response, 404, "404 page not found\n");
    try {
      handler(request, () => parseForm(request, url, body), response);
    } catch (error) {
      if (error instanceof HttpError) return writeText(response, error.status, `${error.message}\n`);
      if (error instanceof Panic) return response.writeHead(500, { "content-length": "0" }).end();
      throw error;
    }
  };

  /** Go's `r.ParseForm()`: the urlencoded POST body first, then the query. Bad escapes are a 400. */
  function parseForm(request: IncomingMessage, url: URL, body: string): Form {
    const form: Form = new Map();
    const isForm = (request.headers["content-type"] ?? "").split(";")[0].trim() === "application/x-www-form-urlencoded";
    const sources = request.method === "POST" && isForm ? [body, url.search.slice(1)] : [url.search.slice(1)];
    for (const source of sources) {
      for (const [name, value] of parseQuery(source)) if (!form.has(name)) form.set(name, value);
    }
    return form;
  }

  // -------------------------------------------------------------------------
  // §2 POST /v1/oauth/access_token
  // -------------------------------------------------------------------------

  function accessToken(request: IncomingMessage, parse: () => Form, response: ServerResponse): void {
    response.setHeader("Access-Control-Allow-Origin", "*");
    const form = parse();
    const grantType = form.get("grant_type") === "authorization_code" ? "" : form.get("grant_type") ?? "";
    let clientId = form.get("client_id") ?? "";
    let clientSecret = form.get("client_secret") ?? "";
    // §2.2: Basic auth only when the form has no secret; it replaces both values.
    if (clientSecret === "") {
      const basic = parseBasicAuth(request.headers.authorization);
      if (!basic) throw new HttpError(400);
      [clientId, clientSecret] = basic;
    }
    const code = form.get("code") ?? "";
    if (clientSecret === "" || clientId === "" || (grantType === "" && code === "")) throw new HttpError(400);

    let token: StoredToken;
    let idToken: string | undefined;
    if (grantType === "client_credentials") token = clientCredentialsToken(clientId, clientSecret);
    else if (grantType === "") {
      token = codeToken(clientId, clientSecret, code, form);
      // OpenID Connect: an authorized `openid` scope yields an id_token, and leaves the token's scope.
      const scopes = token.scope.split(",");
      if (scopes.includes("openid")) idToken = oidcIdToken(token, scopes);
      token.scope = scopes.filter((scope) => scope !== "openid").join(",");
    } else throw new HttpError(400);

    // §2.6: response_type=id_token returns the JWT itself; the token is not stored.
    if (form.get("response_type") === "id_token") {
      const jwt = jwtFromAccessToken(token, form);
      if ((request.headers.accept ?? "").includes("application/json")) {
        return writeJson(response, { access_token: jwt });
      }
      return writeJwt(response, jwt);
    }

    const accessToken = randomToken();
    tokens.set(accessToken, token);
    const grants = token.username && grantType === ""
      ? userOf(token.username).grants.map((grant) => `grant:${grant}`)
      : [];
    // §2.5: exact field order; the scope list always gets a comma, so it ends with one when there are no grants.
    writeJson(response, {
      access_token: accessToken,
      ...(idToken ? { id_token: idToken } : {}),
      token_type: "bearer",
      scope: [token.scope, grants.join(",")].join(","),
      // Go truncates (expiry - now - 10 min) in seconds, and some nanoseconds have always passed since
      // creation, so it is 85799 (85800 - ε). Our clock counts milliseconds, where ε can be 0.
      expires_in: Math.ceil((token.createdAt + DAY - 600_000 - now()) / 1000) - 1,
      info: { username: token.username },
    });
  }

  /** §2.3: an organization key with client credentials enabled, else a user API key; else 400. */
  function clientCredentialsToken(clientId: string, secret: string): StoredToken {
    const organization = registry.organizations.find((key) => key.globalId === clientId && key.secret === secret);
    if (organization?.clientCredentials) {
      return { username: "", globalId: clientId, clientId, scope: "organization:owner", createdAt: now() };
    }
    const userKey = registry.userKeys.find((key) => key.applicationId === clientId && key.secret === secret);
    if (!userKey) throw new HttpError(400);
    const scope = (userKey.scopes ?? ["user:admin"]).join(" ");
    return { username: userKey.username, globalId: "", clientId, scope, createdAt: now() };
  }

  /** §2.4: the checks in the server's order; every failure is a 400. Codes are reusable while valid. */
  function codeToken(clientId: string, secret: string, code: string, form: Form): StoredToken {
    const authorization = codes.get(code);
    if (!authorization) throw new HttpError(400);
    const state = form.get("state") ?? "";
    const redirectUri = form.get("redirect_uri") ?? "";
    if (
      authorization.clientId !== clientId ||
      (state !== "" && authorization.state !== state) ||
      authorization.redirectUrl !== redirectUri
    ) throw new HttpError(400);
    if (now() > authorization.createdAt + CODE_LIFETIME) throw new HttpError(400);
    const key = registry.organizations.find((key) => key.globalId === clientId && key.secret === secret);
    if (!key || !redirectUri.startsWith(key.callbackUrl)) throw new HttpError(400);
    return {
      username: authorization.username,
      globalId: "",
      clientId: authorization.clientId,
      scope: authorization.scope,
      createdAt: now(),
    };
  }

  /** `getIDTokenStr`: sub, iss, iat, exp (the token's), aud (the client) and the values of the user scopes. */
  function oidcIdToken(token: StoredToken, scopes: string[]): string {
    const user = userOf(token.username);
    const values: Record<string, string> = {
      "user:name": user.name,
      "user:email": user.email,
      "user:email:main": user.email,
    };
    const claims: Claims = {
      aud: token.clientId,
      exp: Math.floor((token.createdAt + DAY) / 1000),
      iat: Math.floor(token.createdAt / 1000),
      iss: "itsyouonline",
      sub: token.username,
    };
    for (const scope of scopes) if (scope in values) claims[scope] = values[scope];
    return signJwt(claims);
  }

  function preflight(allow: string, cors: boolean): Handler {
    return (request, _form, response) => {
      const headers: Record<string, string> = { Allow: allow };
      if (cors) {
        headers["Access-Control-Allow-Origin"] = "*";
        headers["Access-Control-Allow-Methods"] = allow;
        headers["Access-Control-Allow-Headers"] = String(request.headers["access-control-request-headers"] ?? "");
      }
      response.writeHead(200, { ...headers, "content-length": "0" }).end();
    };
  }

  // -------------------------------------------------------------------------
  // §3 GET|POST /v1/oauth/jwt
  // -------------------------------------------------------------------------

  function jwt(request: IncomingMessage, parse: () => Form, response: ServerResponse): void {
    const form = parse();
    const header = request.headers.authorization ?? "";
    if (header.startsWith("bearer ") || header.startsWith("Bearer ")) {
      return writeJwt(response, jwtFromParent(header.slice(7), form));
    }
    const value = header.replace(/^token/, "").trim();
    const token = tokens.get(value);
    if (value === "" || !token || now() > token.createdAt + DAY) throw new HttpError(401);
    writeJwt(response, jwtFromAccessToken(token, form));
  }

  /** §3.2 and §3.3: `convertAccessTokenToJWT`. */
  function jwtFromAccessToken(token: StoredToken, form: Form): string {
    let { scopes, offline } = requestedScopes(form);
    const granted = token.scope.split(",");
    if (scopes.length === 0) scopes = granted;
    else if (!scopes.every((scope) => covered(scope, granted))) throw new HttpError(401);
    let grants: string[] = [];
    if (token.username) {
      const user = userOf(token.username);
      scopes = scopes.filter((scope) => !scope.startsWith("user:memberof:") || user.memberOf.includes(scope.slice(14)));
      if (form.get("store_info") === "true") scopes = [...scopes, ...storedInfo(user, scopes)];
      if (form.get("add_grants") === "true") grants = user.grants.map((grant) => `grant:${grant}`);
    }
    const claims: Claims = {
      azp: token.clientId,
      exp: Math.floor(
        Math.min(token.createdAt + DAY, validity(form) > 0 ? now() + validity(form) * 1000 : Infinity) / 1000,
      ),
      iss: "itsyouonline",
      scope: [...goSplit(scopes), ...grants],
      ...(token.username ? { username: token.username } : { globalid: token.globalId }),
      ...audience(form),
    };
    // The refresh record keeps the scopes without the grants; refresh adds the grants anew when asked.
    if (offline) claims.refresh_token = newRefreshRecord(scopes, token.username);
    return signJwt(claims);
  }

  /**
   * §3.4: a JWT from a parent JWT, with the real server's two panics. Like upstream (333d788
   * `createNewJWTFromParent`), it checks the requested scopes against the parent's by prefix only and
   * never filters `user:memberof:` by membership: upstream computes that filter and then discards it
   * (`globalID != ""` is true for a nil interface), which also writes `"globalid": null`. So any user can
   * derive a JWT naming any organization; mod.ts's verifyJwt does not believe it (isDerivedJwt).
   */
  function jwtFromParent(parentJwt: string, form: Form): string {
    const parent = checkPresentedJwt(parentJwt, false);
    const parentRefresh = typeof parent.refresh_token === "string" ? parent.refresh_token : undefined;
    const record = parentRefresh === undefined ? undefined : liveRefreshRecord(parentRefresh);
    if (parentRefresh !== undefined && !record) throw new HttpError(401);
    const allowed = record ? record.scopes : Array.isArray(parent.scope) ? parent.scope as string[] : [];
    const { scopes, offline } = requestedScopes(form);
    if (offline && parentRefresh === undefined) throw new HttpError(401);
    if (!scopes.every((scope) => covered(scope, allowed))) throw new HttpError(401);
    if (parentRefresh === undefined) throw new Panic(); // exp copied as float64, asserted as int64
    if (typeof parent.username !== "string") throw new Panic(); // organization parents
    const claims: Claims = {
      azp: parent.azp,
      exp: Math.floor(now() / 1000) + Math.min(86_400, validity(form) || 86_400),
      globalid: null, // the server compares a nil interface with ""
      iss: "itsyouonline",
      scope: scopes,
      username: parent.username,
      ...audience(form),
    };
    if (offline) claims.refresh_token = newRefreshRecord(scopes, parent.username);
    return signJwt(claims);
  }

  function requestedScopes(form: Form): { scopes: string[]; offline: boolean } {
    const list = splitList(form.get("scope") ?? "");
    return { scopes: list.filter((scope) => scope !== "offline_access"), offline: list.includes("offline_access") };
  }

  /** Prefix matching, with `user:admin` covering every `user:` scope. */
  function covered(scope: string, granted: string[]): boolean {
    return granted.some((grant) => scope.startsWith(grant) || (grant === "user:admin" && scope.startsWith("user:")));
  }

  function storedInfo(user: User, scopes: string[]): string[] {
    const values: Record<string, string> = { "user:name": user.name, "user:email": user.email };
    return scopes.filter((scope) => scope in values).map((scope) => `[${scope}]:${values[scope]}`);
  }

  /** `validity` in seconds when it is a positive integer, else 0 (ignored). */
  function validity(form: Form): number {
    const value = form.get("validity") ?? "";
    return /^[+-]?\d+$/.test(value) && Number(value) > 0 ? Number(value) : 0;
  }

  function audience(form: Form): { aud?: string[] } {
    const list = splitList(form.get("aud") ?? "");
    return list.length > 0 ? { aud: list } : {};
  }

  function newRefreshRecord(scopes: string[], username: string): string {
    const refreshToken = randomToken();
    refreshRecords.set(refreshToken, { scopes, username, lastUsed: now() });
    return refreshToken;
  }

  function liveRefreshRecord(refreshToken: string): RefreshRecord | undefined {
    const record = refreshRecords.get(refreshToken);
    return record && now() <= record.lastUsed + REFRESH_LIFETIME ? record : undefined;
  }

  // -------------------------------------------------------------------------
  // §4 GET|POST /v1/oauth/jwt/refresh
  // -------------------------------------------------------------------------

  function refresh(request: IncomingMessage, parse: () => Form, response: ServerResponse): void {
    const form = parse();
    const header = request.headers.authorization ?? "";
    if (!header.startsWith("bearer ") && !header.startsWith("Bearer ")) throw new HttpError(401);
    const old = checkPresentedJwt(header.slice(7), true);
    if (typeof old.refresh_token !== "string") throw new HttpError(401);
    const record = liveRefreshRecord(old.refresh_token);
    if (!record) throw new HttpError(401);
    if (typeof old.azp !== "string") throw new Panic();
    record.lastUsed = now();
    let scopes = goSplit(record.scopes);
    if (form.get("add_grants") === "true" && record.username) {
      scopes = [...scopes, ...userOf(record.username).grants.map((grant) => `grant:${grant}`)];
    }
    const seconds = validity(form);
    writeJwt(
      response,
      signJwt({
        ...old,
        scope: scopes,
        exp: Math.floor(now() / 1000) + (seconds > 0 && seconds < 86_400 ? seconds : 86_400),
      }),
    );
  }

  // -------------------------------------------------------------------------
  // §5 GET /v1/oauth/authorize
  // -------------------------------------------------------------------------

  function authorize(request: IncomingMessage, parse: () => Form, response: ServerResponse): void {
    const form = parse();
    if (form.get("response_type") !== "code") throw new HttpError(400);
    // Not logged in: to /login before anything else is checked, with the query re-encoded the way Go's
    // url.Values.Encode() does it (sorted by key, QueryEscape'd) and the endpoint to come back to.
    if (!registry.loggedInAs) {
      const query = [...parseQuery((request.url ?? "").split("?")[1] ?? ""), ["endpoint", "/v1/oauth/authorize"]];
      query.sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
      return redirect(
        response,
        "GET",
        302,
        `/login?${query.map(([name, value]) => `${queryEscape(name)}=${queryEscape(value)}`).join("&")}`,
      );
    }
    const clientId = form.get("client_id") ?? "";
    // The handler unescapes the already-decoded value again: '+' becomes a space.
    const redirectUri = queryUnescape(form.get("redirect_uri") ?? "");
    if (!validRedirect(redirectUri, clientId)) throw new HttpError(400);
    if (clientId === "itsyouonline") throw new HttpError(400);
    const user = userOf(registry.loggedInAs);
    const scope = splitList(form.get("scope") ?? "")
      .filter((scope) => !scope.startsWith("user:memberof:") || user.memberOf.includes(scope.slice(14)));
    const code = randomToken();
    const state = form.get("state") ?? "";
    codes.set(code, {
      clientId,
      username: user.username,
      redirectUrl: redirectUri,
      state,
      scope: scope.join(","),
      createdAt: now(),
    });
    const separator = !redirectUri.includes("?") ? "?" : redirectUri.endsWith("&") ? "" : "&";
    redirect(response, "GET", 302, `${redirectUri}${separator}code=${queryEscape(code)}&state=${queryEscape(state)}`);
  }

  function validRedirect(redirectUri: string, clientId: string): boolean {
    let url: URL;
    try {
      url = new URL(redirectUri);
    } catch {
      return false;
    }
    const host = url.host.toLowerCase();
    if (!url.protocol || !host || host.endsWith("itsyou.online") || host.includes("itsyou.online:")) return false;
    return registry.organizations.some((key) => key.globalId === clientId && redirectUri.startsWith(key.callbackUrl));
  }

  // -------------------------------------------------------------------------
  // §3.3 and §8: ES384 JWTs, raw R||S, sorted claims, no kid, no iat
  // -------------------------------------------------------------------------

  function signJwt(claims: Claims): string {
    const sorted = Object.fromEntries(Object.entries(claims).sort(([a], [b]) => (a < b ? -1 : 1)));
    const input = `${JWT_HEADER}.${base64url(Buffer.from(goJson(sorted)))}`;
    const signature = sign("sha384", Buffer.from(input), { key: state.privateKey, dsaEncoding: "ieee-p1363" });
    return `${input}.${base64url(signature)}`;
  }

  /** A JWT this server signed with ES384; 401 otherwise. Expiry is ignored only where the server ignores it. */
  function checkPresentedJwt(token: string, allowExpired: boolean): Claims {
    const [header, payload, signature, extra] = token.split(".");
    if (extra !== undefined || signature === undefined) throw new HttpError(401);
    try {
      const alg = JSON.parse(Buffer.from(header, "base64url").toString()).alg;
      const valid = alg === "ES384" && verify(
        "sha384",
        Buffer.from(`${header}.${payload}`),
        { key: publicKey, dsaEncoding: "ieee-p1363" },
        Buffer.from(signature, "base64url"),
      );
      if (!valid) throw new HttpError(401);
      const claims = JSON.parse(Buffer.from(payload, "base64url").toString()) as Claims;
      if (!allowExpired && !(typeof claims.exp === "number" && now() / 1000 <= claims.exp)) throw new HttpError(401);
      return claims;
    } catch {
      throw new HttpError(401);
    }
  }

  function userOf(username: string): User {
    const user = registry.users.find((user) => user.username === username);
    if (!user) throw new Error(`registry has no user ${username}`);
    return user;
  }
}

// ---------------------------------------------------------------------------
// Helpers that mirror Go's standard library
// ---------------------------------------------------------------------------

/** `http.Error`: status text and a newline, as plain text with nosniff. */
function writeText(response: ServerResponse, status: number, body: string): void {
  response.writeHead(status, {
    "Content-Type": "text/plain; charset=utf-8",
    "X-Content-Type-Options": "nosniff",
    "Content-Length": Buffer.byteLength(body),
  }).end(body);
}

/** `json.NewEncoder(w).Encode(v)`: Go's escaping, and a trailing newline. */
function writeJson(response: ServerResponse, value: unknown): void {
  const body = `${goJson(value)}\n`;
  response.writeHead(200, { "Content-Type": "application/json", "Content-Length": Buffer.byteLength(body) }).end(body);
}

/** A raw JWT, no trailing newline. */
function writeJwt(response: ServerResponse, jwt: string): void {
  response.writeHead(200, { "Content-Type": "application/jwt", "Content-Length": Buffer.byteLength(jwt) }).end(jwt);
}

/** `http.Redirect`: a short HTML body for GET and HEAD, none otherwise. */
function redirect(response: ServerResponse, method: string, status: number, location: string): void {
  // fmt.Fprintln(w, body) after a body that already ends with ".\n": two newlines.
  const body = method === "GET" || method === "HEAD"
    ? `<a href="${location.replace(/&/g, "&amp;").replace(/"/g, "&#34;").replace(/</g, "&lt;")}">${
      STATUS_TEXT[status]
    }</a>.\n\n`
    : "";
  const headers: Record<string, string | number> = { Location: location, "Content-Length": Buffer.byteLength(body) };
  if (body) headers["Content-Type"] = "text/html; charset=utf-8";
  response.writeHead(status, headers).end(body);
}

/** `encoding/json` escapes <, >, & and the JavaScript line separators. */
function goJson(value: unknown): string {
  return JSON.stringify(value).replace(
    /[<>&\u2028\u2029]/g,
    (char) => `\\u${char.charCodeAt(0).toString(16).padStart(4, "0")}`,
  );
}

/** `url.ParseQuery`: `+` is a space and a bad `%` escape is an error (a 400). */
function parseQuery(text: string): [string, string][] {
  if (text === "") return [];
  return text.split("&").filter((pair) => pair !== "").map((pair) => {
    const equals = pair.indexOf("=");
    const [name, value] = equals < 0 ? [pair, ""] : [pair.slice(0, equals), pair.slice(equals + 1)];
    return [queryUnescape(name), queryUnescape(value)];
  });
}

function queryUnescape(text: string): string {
  if (/%(?![0-9A-Fa-f]{2})/.test(text)) throw new HttpError(400);
  try {
    return decodeURIComponent(text.replace(/\+/g, " "));
  } catch {
    throw new HttpError(400);
  }
}

/** `url.QueryEscape`: spaces become `+`. */
function queryEscape(text: string): string {
  return encodeURIComponent(text).replace(/%20/g, "+").replace(
    /[!'()*]/g,
    (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`,
  );
}

/**
 * The scope claim the way the server builds it: `strings.Split(strings.Join(scopes, ","), ",")`, so no
 * scopes at all become `[""]`, and a stored value with a comma in it is split.
 */
function goSplit(scopes: string[]): string[] {
  return scopes.join(",").split(",");
}

/** Go's `strings.Split` on commas, trimmed, empty entries dropped (as `SplitScopeString` and `aud` do). */
function splitList(text: string): string[] {
  return text.split(",").map((entry) => entry.trim()).filter((entry) => entry !== "");
}

/** `r.BasicAuth()` of the Go that built the real server (1.19): the scheme is matched case-insensitively. */
function parseBasicAuth(header: string | undefined): [string, string] | undefined {
  if (!header || header.slice(0, 6).toLowerCase() !== "basic ") return undefined;
  const decoded = Buffer.from(header.slice(6), "base64").toString();
  const colon = decoded.indexOf(":");
  return colon < 0 ? undefined : [decoded.slice(0, colon), decoded.slice(colon + 1)];
}

/** 21 random bytes, base64url: the 28-character format of tokens and codes. */
function randomToken(): string {
  return base64url(randomBytes(21));
}

function base64url(bytes: Buffer): string {
  return bytes.toString("base64url");
}
