/**
 * The core flows as one runtime-neutral suite, run in every runtime the README
 * names (Bun, workerd, and the packed npm package on Node 20, Node 24 and Bun)
 * against the local server. No imports of node: modules and no test framework,
 * so a worker can run it too: each case throws on failure.
 */
import type * as Mod from "../../mod.ts";
import { assertNoLeaks } from "./leaks.ts";

/** Where the local server is and what it knows; plain data, so it can cross into a child process or a worker. */
export interface CoreSetting {
  baseUrl: string;
  org: { clientId: string; clientSecret: string };
  user: { clientId: string; clientSecret: string };
  publicKey: string;
  callbackUrl: string;
  /** A loopback URL where nothing listens. */
  closedUrl: string;
}

export interface CoreCase {
  name: string;
  run(lib: typeof Mod, s: CoreSetting): Promise<void>;
}

function check(condition: unknown, message: string): asserts condition {
  if (!condition) throw new Error(message);
}

function equal(actual: unknown, expected: unknown, what: string): void {
  check(
    JSON.stringify(actual) === JSON.stringify(expected),
    `${what}: expected ${JSON.stringify(expected)}, got ${JSON.stringify(actual)}`,
  );
}

/** A refreshable JWT of alice's (what delegation needs as its parent), from her user key's access token. */
async function refreshableUserJwt(lib: typeof Mod, s: CoreSetting, options: Mod.JwtOptions): Promise<string> {
  const token = await lib.getAccessToken({ ...s.user, baseUrl: s.baseUrl });
  return lib.getJwt(token, { baseUrl: s.baseUrl, refreshable: true, ...options });
}

/** The call must reject with an ItsYouOnlineError of `code` that leaks none of `secrets`. */
async function rejects(
  lib: typeof Mod,
  call: Promise<unknown>,
  code: string,
  secrets: Record<string, string> = {},
): Promise<Mod.ItsYouOnlineError> {
  const error = await call.then(() => undefined, (caught: unknown) => caught);
  check(error instanceof lib.ItsYouOnlineError, `expected an ItsYouOnlineError ${code}, got ${error}`);
  equal(error.code, code, `code (${error.message})`);
  assertNoLeaks(secrets, { error });
  return error;
}

export const CORE_CASES: CoreCase[] = [
  {
    name: "getAccessToken() gets an organization token",
    async run(lib, s) {
      const token = await lib.getAccessToken({ ...s.org, baseUrl: s.baseUrl });
      equal(token.scopes, ["organization:owner"], "scopes");
      equal(token.expiresIn, 85799, "expiresIn");
      check(token.expiresAt instanceof Date && token.username === undefined, "expiresAt and no username");
    },
  },
  {
    name: "getJwt() from credentials, and verifyJwt() with the server's key and an audience",
    async run(lib, s) {
      const jwt = await lib.getJwt(s.org, { baseUrl: s.baseUrl, audience: "deploy", validity: 120 });
      const claims = await lib.verifyJwt(jwt, { publicKey: s.publicKey, audience: "deploy" });
      equal([claims.globalid, claims.aud, claims.iss], [s.org.clientId, ["deploy"], "itsyouonline"], "claims");
      check(claims.exp! - Date.now() / 1000 <= 121, "validity applied");
    },
  },
  {
    name: "getJwt() from a user key's access token, as a string and as an object",
    async run(lib, s) {
      const token = await lib.getAccessToken({ ...s.user, baseUrl: s.baseUrl });
      equal(token.username, "alice", "username");
      for (const from of [token, token.accessToken]) {
        equal(
          lib.decodeJwt(await lib.getJwt(from, { baseUrl: s.baseUrl, scope: "user:name" })).scope,
          ["user:name"],
          "scope",
        );
      }
    },
  },
  {
    name: "refreshJwt() renews a refreshable JWT, keeping its refresh_token",
    async run(lib, s) {
      const jwt = await lib.getJwt(s.org, { baseUrl: s.baseUrl, refreshable: true, validity: 60 });
      const renewed = await lib.refreshJwt(jwt, { baseUrl: s.baseUrl, validity: 120 });
      check(typeof lib.decodeJwt(jwt).refresh_token === "string", "a refresh_token");
      equal(lib.decodeJwt(renewed).refresh_token, lib.decodeJwt(jwt).refresh_token, "refresh_token");
      await lib.verifyJwt(renewed, { publicKey: s.publicKey });
    },
  },
  {
    name: "createTokenSource(): concurrent jwt() calls share one JWT, and the cache serves it",
    async run(lib, s) {
      const tokens = lib.createTokenSource({ ...s.org, baseUrl: s.baseUrl, validity: 600 });
      const jwts = await Promise.all(Array.from({ length: 20 }, () => tokens.jwt()));
      equal(new Set(jwts).size, 1, "distinct JWTs");
      equal(await tokens.jwt(), jwts[0], "cached JWT");
      const token = await tokens.accessToken();
      equal(await tokens.accessToken(), token, "cached access token");
    },
  },
  {
    name: "the code flow: authorizeUrl(), the server's redirect, parseCallback(), exchangeCode()",
    async run(lib, s) {
      const state = lib.randomState();
      const url = lib.authorizeUrl({
        clientId: s.org.clientId,
        redirectUri: s.callbackUrl,
        scope: "user:name",
        state,
        baseUrl: s.baseUrl,
      });
      const response = await fetch(url.href, { redirect: "manual" });
      await response.body?.cancel();
      const location = response.headers.get("location") ?? "";
      const { code } = lib.parseCallback(location, state);
      const token = await lib.exchangeCode({ ...s.org, code, state, redirectUri: s.callbackUrl, baseUrl: s.baseUrl });
      equal(token.username, "alice", "username");
      await rejects(lib, Promise.resolve().then(() => lib.parseCallback(location, "other")), "STATE_MISMATCH", {
        code,
      });
    },
  },
  {
    name:
      "deriveJwt(): a JWT for another audience from a user's refreshable JWT, never outliving it; verifyJwt({ scope })",
    async run(lib, s) {
      const parent = await refreshableUserJwt(lib, s, { scope: "user:name", audience: "orders", validity: 600 });
      await lib.verifyJwt(parent, { publicKey: s.publicKey, audience: "orders", scope: "user:name" });
      const child = await lib.deriveJwt(parent, { baseUrl: s.baseUrl, audience: "billing", scope: "user:name" });
      const claims = await lib.verifyJwt(child, { publicKey: s.publicKey, audience: "billing", scope: ["user:name"] });
      equal(
        [claims.username, claims.aud, claims.scope, claims.globalid],
        ["alice", ["billing"], ["user:name"], null],
        "derived claims",
      );
      check(claims.exp! <= lib.decodeJwt(parent).exp!, "the derived JWT does not outlive its parent");
      check(claims.refresh_token === undefined, "never refreshable");
      const missing = await rejects(
        lib,
        lib.verifyJwt(child, { publicKey: s.publicKey, audience: "billing", scope: "user:email" }),
        "JWT_CLAIM_INVALID",
        { child },
      );
      check(missing.message.includes('"user:email"'), "names the missing scope");
      await rejects(lib, lib.deriveJwt(parent, { baseUrl: s.baseUrl, scope: "user:admin" }), "HTTP_ERROR", { parent });
      const organization = await lib.getJwt(s.org, { baseUrl: s.baseUrl, refreshable: true });
      await rejects(lib, lib.deriveJwt(organization, { baseUrl: s.baseUrl }), "INVALID_ARGUMENT", { organization });
      await rejects(lib, lib.deriveJwt(parent, { baseUrl: s.baseUrl, validity: 3600 }), "INVALID_ARGUMENT", { parent });
    },
  },
  {
    name:
      "delegation cannot forge membership: deriveJwt() asks for none the parent lacks and never for a refreshable JWT; verifyJwt() does not take membership from a derived JWT",
    async run(lib, s) {
      const parent = await refreshableUserJwt(lib, s, { scope: "user:memberof:acme" });
      // A refreshable JWT's membership is only as fresh as its first issue: taken only when trusted.
      const stale = await rejects(
        lib,
        lib.verifyJwt(parent, { publicKey: s.publicKey, scope: "user:memberof:acme" }),
        "JWT_CLAIM_INVALID",
        { parent },
      );
      check(stale.message.includes("can be refreshed"), "says why refreshable membership is refused");
      const direct = await lib.verifyJwt(parent, {
        publicKey: s.publicKey,
        scope: "user:memberof:acme",
        trustRefreshableMembership: true,
      });
      check(!lib.isDerivedJwt(direct), "a JWT from the key itself is not derived");
      for (const options of [{ scope: "user:memberof:acme-prod" }, { scope: "user:memberof:acme,offline_access" }]) {
        await rejects(lib, lib.deriveJwt(parent, { baseUrl: s.baseUrl, ...options }), "INVALID_ARGUMENT", { parent });
      }
      const child = await lib.deriveJwt(parent, { baseUrl: s.baseUrl, scope: "user:memberof:acme" });
      check(lib.isDerivedJwt(lib.decodeJwt(child)), "the derived JWT is recognised");
      const refused = await rejects(
        lib,
        lib.verifyJwt(child, { publicKey: s.publicKey, scope: "user:memberof:acme" }),
        "JWT_CLAIM_INVALID",
        { child, parent },
      );
      equal(refused.claim, "scope", "claim");
      const trusted = await lib.verifyJwt(child, {
        publicKey: s.publicKey,
        scope: "user:memberof:acme",
        trustDelegatedMembership: true,
      });
      equal(trusted.scope, ["user:memberof:acme"], "scope with trustDelegatedMembership");
    },
  },
  {
    name:
      "verifyJwt() refuses an aud it was not told to expect; anyScope takes one of a list; verifyRequest() answers as RFC 6750 asks",
    async run(lib, s) {
      const token = await lib.getAccessToken({ ...s.user, baseUrl: s.baseUrl });
      const jwt = await lib.getJwt(token, { baseUrl: s.baseUrl, audience: "orders", scope: "user:name" });
      const unaddressed = await rejects(lib, lib.verifyJwt(jwt, { publicKey: s.publicKey }), "JWT_CLAIM_INVALID", {
        jwt,
      });
      equal(unaddressed.claim, "aud", "the aud claim is named");
      equal((await lib.verifyJwt(jwt, { publicKey: s.publicKey, anyAudience: true })).aud, ["orders"], "anyAudience");
      const options = { publicKey: s.publicKey, audience: "orders" };
      equal(
        (await lib.verifyJwt(jwt, { ...options, anyScope: ["user:email", "user:name"] })).scope,
        ["user:name"],
        "anyScope: one of them",
      );
      await rejects(
        lib,
        lib.verifyJwt(jwt, { ...options, anyScope: ["user:email", "user:phone"] }),
        "JWT_CLAIM_INVALID",
        {
          jwt,
        },
      );
      const ok = await lib.verifyRequest(new Request("http://svc/", { headers: { authorization: `bearer ${jwt}` } }), {
        ...options,
        scope: "user:name",
      });
      check(ok.ok && ok.claims.username === "alice", "a Request with a good JWT");
      const answers = [];
      for (
        const [header, extra] of [
          [undefined, {}],
          ["Bearer", {}],
          [`Bearer ${jwt}`, { audience: "billing" }],
          [`Bearer ${jwt}`, { scope: "user:email" }],
        ] as const
      ) {
        const result = await lib.verifyRequest(header, { ...options, realm: "svc", ...extra });
        if (result.ok) throw new Error(`accepted ${header} with ${JSON.stringify(extra)}`);
        answers.push([result.status, result.headers["www-authenticate"].replace(/ error_description="[^"]*",?/, "")]);
        check(!JSON.stringify(result).includes(jwt), "no answer holds the token");
      }
      equal(answers, [
        [401, 'Bearer realm="svc"'],
        [400, 'Bearer realm="svc", error="invalid_request",'],
        [401, 'Bearer realm="svc", error="invalid_token",'],
        [403, 'Bearer realm="svc", error="insufficient_scope", scope="user:email"'],
      ], "statuses and challenges");
    },
  },
  {
    name:
      "createTokenSource(): while a valid JWT is cached, callers get it at once during a slow renewal; only a caller with nothing valid waits",
    async run(lib, s) {
      let open = (): void => {};
      const gate = new Promise<void>((resolve) => (open = resolve));
      let holding = false;
      let answered = 0;
      const gated: Mod.FetchFunction = async (input, init) => {
        const response = await fetch(input, init);
        answered++;
        if (holding) await gate;
        return response;
      };
      const clock = { ms: Date.now() };
      const tokens = lib.createTokenSource({
        ...s.org,
        baseUrl: s.baseUrl,
        validity: 600,
        refreshBefore: 60,
        fetch: gated,
        now: () => clock.ms,
      });
      const first = await tokens.jwt();
      const exp = lib.decodeJwt(first).exp! * 1000;
      clock.ms = exp - 30_000;
      holding = true;
      const during = await Promise.all(Array.from({ length: 1000 }, () => tokens.jwt()));
      check(during.every((jwt) => jwt === first), "every caller during the renewal gets the cached JWT");
      for (let turn = 0; turn < 100 && answered < 2; turn++) await new Promise((resolve) => setTimeout(resolve, 10));
      equal(answered, 2, "one renewal request, answered and held back");
      clock.ms = exp + 1000; // nothing valid left: this caller waits for the renewal
      const waiting = tokens.jwt();
      let settled = false;
      waiting.then(() => (settled = true), () => (settled = true));
      await new Promise((resolve) => setTimeout(resolve, 0));
      check(!settled, "a caller with nothing valid cached waits for the renewal");
      open();
      const renewed = await waiting;
      check(lib.decodeJwt(renewed).exp! >= lib.decodeJwt(first).exp!, "the caller that waited gets the renewal's JWT");
      equal(answered, 2, "still one renewal request");
    },
  },
  {
    name: "the runtime's fetch passed as an option works (it is never called as a method)",
    async run(lib, s) {
      const token = await lib.getAccessToken({
        ...s.org,
        baseUrl: s.baseUrl,
        fetch: globalThis.fetch as Mod.FetchFunction,
      });
      equal(token.scopes, ["organization:owner"], "scopes");
    },
  },
  {
    name: "errors: a wrong secret, a refused connection, bad input and a forged JWT, each with its code",
    async run(lib, s) {
      const wrong = { clientId: s.org.clientId, clientSecret: "wrong-secret-value-123" };
      const error = await rejects(lib, lib.getAccessToken({ ...wrong, baseUrl: s.baseUrl }), "HTTP_ERROR", {
        secret: wrong.clientSecret,
      });
      equal(error.status, 400, "status");
      await rejects(lib, lib.getAccessToken({ ...s.org, baseUrl: s.closedUrl, retries: 0 }), "NETWORK_ERROR", {
        secret: s.org.clientSecret,
      });
      await rejects(lib, lib.getAccessToken({ ...s.org, baseUrl: "http://itsyou.example" }), "INVALID_ARGUMENT");
      await rejects(lib, lib.getJwt(s.org, { baseUrl: s.baseUrl, validity: 0 }), "INVALID_ARGUMENT");
      const jwt = await lib.getJwt(s.org, { baseUrl: s.baseUrl });
      await rejects(lib, lib.verifyJwt(jwt), "JWT_SIGNATURE_INVALID"); // itsyou.online's key did not sign it
      await rejects(
        lib,
        lib.verifyJwt(`${jwt.split(".").slice(0, 2).join(".")}.`, { publicKey: s.publicKey }),
        "JWT_SIGNATURE_INVALID",
      );
    },
  },
];

/** Runs every case; a failure is reported, not thrown, so the caller can report each case. */
export async function runCoreCases(lib: typeof Mod, s: CoreSetting): Promise<{ name: string; error?: string }[]> {
  const results: { name: string; error?: string }[] = [];
  for (const c of CORE_CASES) {
    try {
      await c.run(lib, s);
      results.push({ name: c.name });
    } catch (error) {
      results.push({ name: c.name, error: error instanceof Error ? `${error.name}: ${error.message}` : String(error) });
    }
  }
  return results;
}
