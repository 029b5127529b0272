/** The flows of mod.ts against the local server, over real HTTP on 127.0.0.1. */
import { beforeEach, describe, expect, test } from "vitest";
import * as jose from "jose";
import {
  authorizeUrl,
  decodeJwt,
  deriveJwt,
  exchangeCode,
  getAccessToken,
  getJwt,
  ITSYOU_ONLINE_URL,
  parseCallback,
  randomState,
  refreshJwt,
  verifyJwt,
} from "../../mod.ts";
import { rejects, useServerFixture } from "../support/expect.ts";
import { startFixture } from "../support/fixture.ts";

const f = useServerFixture();

/** Verifies with jose, an independent implementation, against the server's key. */
async function joseVerify(jwt: string): Promise<jose.JWTPayload> {
  const key = await jose.importSPKI(f.server.publicKey, "ES384");
  const { payload, protectedHeader } = await jose.jwtVerify(jwt, key, {
    issuer: "itsyouonline",
    algorithms: ["ES384"],
  });
  expect(protectedHeader).toEqual({ alg: "ES384", typ: "JWT" });
  return payload;
}

/** Sends the user through /v1/oauth/authorize and returns the callback URL the server redirects to. */
async function authorize(state: string, scope = "user:name,user:memberof:acme"): Promise<string> {
  const url = authorizeUrl({
    clientId: f.org.clientId,
    redirectUri: f.callbackUrl,
    scope,
    state,
    baseUrl: f.at.baseUrl,
  });
  const response = await fetch(url, { redirect: "manual" });
  await response.body?.cancel();
  expect(response.status).toBe(302);
  return response.headers.get("location")!;
}

describe("getAccessToken()", () => {
  test("returns an organization token, with the trailing comma dropped from scopes and no username", async () => {
    const before = Date.now();
    const token = await getAccessToken({ ...f.org, ...f.at });
    expect(token).toEqual({
      accessToken: expect.stringMatching(/^[\w-]{28}$/),
      tokenType: "bearer",
      scopes: ["organization:owner"],
      expiresIn: 85799,
      expiresAt: expect.any(Date),
    });
    expect("username" in token).toBe(false);
    expect(token.expiresAt.getTime()).toBeGreaterThanOrEqual(before + 85799_000);
    expect(token.expiresAt.getTime()).toBeLessThanOrEqual(Date.now() + 85799_000);
  });

  test("returns a user token with the username for a user API key", async () => {
    const token = await getAccessToken({ ...f.user, ...f.at });
    expect(token.username).toBe("alice");
    expect(token.scopes).toEqual(["user:admin"]);
  });

  test("splits a user API key's space-joined scopes (protocol §2.3)", async () => {
    const key = f.server.registry.userKeys[1];
    const token = await getAccessToken({ clientId: key.applicationId, clientSecret: key.secret, ...f.at });
    expect(token.scopes).toEqual(["user:admin", "user:name"]);
  });

  test.each([
    ["1e13", 1e13],
    ["-1", -1],
    ["a fraction", 1.5],
    ["a string", "85799"],
    ["null", null],
  ])("an expires_in of %s is INVALID_RESPONSE, not an Invalid Date", async (_, expiresIn) => {
    const body = JSON.stringify({
      access_token: "abc",
      token_type: "bearer",
      scope: "a,",
      expires_in: expiresIn,
      info: { username: "" },
    });
    const fetch = (): Promise<Response> =>
      Promise.resolve(new Response(body, { headers: { "content-type": "application/json" } }));
    const error = await rejects(getAccessToken({ ...f.org, fetch }), "INVALID_RESPONSE");
    expect(error.message).toMatch(/expires_in/);
  });

  test.each(["eve\n::warning title=Injected::x", "eve\u2028x", 42])(
    "a username that is not one (%j) is INVALID_RESPONSE",
    async (username) => {
      const body = JSON.stringify({
        access_token: "abc",
        token_type: "bearer",
        scope: "user:admin",
        expires_in: 60,
        info: { username },
      });
      const fetch = (): Promise<Response> =>
        Promise.resolve(new Response(body, { headers: { "content-type": "application/json" } }));
      await rejects(getAccessToken({ ...f.org, fetch }), "INVALID_RESPONSE");
    },
  );

  test("sends the credentials in a POST form body, never in the URL", async () => {
    await getAccessToken({ ...f.org, ...f.at, userAgent: "test-agent/1" });
    const [request] = f.server.requests;
    expect(request.method).toBe("POST");
    expect(request.path).toBe("/v1/oauth/access_token");
    expect(request.query).toBe("");
    expect(request.headers["content-type"]).toBe("application/x-www-form-urlencoded");
    expect(request.headers["user-agent"]).toBe("test-agent/1");
    expect(Object.fromEntries(new URLSearchParams(request.body))).toEqual({
      grant_type: "client_credentials",
      client_id: f.org.clientId,
      client_secret: f.org.clientSecret,
    });
  });

  test("keeps a baseUrl path prefix, with or without a trailing slash", async () => {
    const prefixed = await startFixture({ pathPrefix: "/iyo" });
    try {
      for (
        const baseUrl of [
          `${prefixed.server.url}/iyo`,
          `${prefixed.server.url}/iyo/`,
          new URL(`${prefixed.server.url}/iyo`),
        ]
      ) {
        const token = await getAccessToken({ ...prefixed.org, baseUrl });
        expect(token.scopes).toEqual(["organization:owner"]);
      }
      expect(prefixed.server.count("/v1/oauth/access_token")).toBe(3);
    } finally {
      await prefixed.server.close();
    }
  });

  test("a wrong secret is HTTP_ERROR 400 naming the id, secret and client credentials flow; not retried", async () => {
    const error = await rejects(
      getAccessToken({ ...f.org, clientSecret: "wrong-secret-value", ...f.at }),
      "HTTP_ERROR",
      {
        secret: "wrong-secret-value",
      },
    );
    expect(error.status).toBe(400);
    expect(error.endpoint).toBe("/v1/oauth/access_token");
    expect(error.message).toMatch(/client id and secret/);
    expect(error.message).toMatch(/client credentials flow enabled/);
    expect(f.server.count()).toBe(1);
  });

  test("an organization key without the client credentials flow is refused with 400", async () => {
    const error = await rejects(getAccessToken({ ...f.orgWithoutClientCredentials, ...f.at }), "HTTP_ERROR", {
      secret: f.orgWithoutClientCredentials.clientSecret,
    });
    expect(error.status).toBe(400);
  });
});

describe("authorizeUrl(), randomState() and parseCallback()", () => {
  test("authorizeUrl() builds the /v1/oauth/authorize URL with every parameter", () => {
    const url = authorizeUrl({
      clientId: "acme",
      redirectUri: "https://app.example.com/callback?x=1",
      scope: ["user:name", "user:memberof:acme"],
      state: "s1",
    });
    expect(url.origin + url.pathname).toBe(`${ITSYOU_ONLINE_URL}/v1/oauth/authorize`);
    expect(Object.fromEntries(url.searchParams)).toEqual({
      response_type: "code",
      client_id: "acme",
      redirect_uri: "https://app.example.com/callback?x=1",
      scope: "user:name,user:memberof:acme",
      state: "s1",
    });
  });

  test("authorizeUrl() keeps a path prefix and leaves scope out when none is asked for", () => {
    const url = authorizeUrl({
      clientId: "acme",
      redirectUri: "https://a.example/cb",
      state: "s",
      baseUrl: "https://id.example/iyo/",
    });
    expect(url.pathname).toBe("/iyo/v1/oauth/authorize");
    expect(url.searchParams.has("scope")).toBe(false);
  });

  test("authorizeUrl() refuses a redirectUri with % or +, which the server decodes twice", async () => {
    for (const redirectUri of ["https://a.example/cb?next=%2F", "https://a.example/c+b"]) {
      const error = await rejects(
        () => authorizeUrl({ clientId: "acme", redirectUri, state: "s" }),
        "INVALID_ARGUMENT",
      );
      expect(error.message).toMatch(/decodes redirect_uri twice/);
    }
  });

  test("randomState() returns 256 bits of base64url, different every time", () => {
    const states = new Set(Array.from({ length: 100 }, () => randomState()));
    expect(states.size).toBe(100);
    for (const state of states) expect(state).toMatch(/^[A-Za-z0-9_-]{43}$/);
  });

  test("parseCallback() returns the code and state of a real redirect", async () => {
    const state = randomState();
    const callback = await authorize(state);
    const result = parseCallback(callback, state);
    expect(result.state).toBe(state);
    expect(result.code).toMatch(/^[\w-]{28}$/);
    expect(parseCallback(new URL(callback), state)).toEqual(result);
  });

  test("parseCallback() throws STATE_MISMATCH for another state, or none, without echoing the code", async () => {
    const callback = "https://app.example.com/callback?code=secret-code-1234&state=attacker";
    const error = await rejects(() => parseCallback(callback, "expected"), "STATE_MISMATCH", {
      code: "secret-code-1234",
    });
    expect(error.message).toMatch(/forged or replayed/);
    await rejects(
      () => parseCallback("https://app.example.com/callback?code=secret-code-1234", "expected"),
      "STATE_MISMATCH",
    );
  });

  test("parseCallback() throws INVALID_ARGUMENT when the code is missing or the URL is not one", async () => {
    const error = await rejects(
      () => parseCallback("https://app.example.com/callback?state=s", "s"),
      "INVALID_ARGUMENT",
    );
    expect(error.message).toMatch(/no code/);
    await rejects(() => parseCallback("not a url", "s"), "INVALID_ARGUMENT");
    await rejects(() => parseCallback("https://app.example.com/callback?code=c&state=", ""), "INVALID_ARGUMENT");
  });
});

describe("exchangeCode()", () => {
  test("with openid authorized, returns the OIDC id_token (verifiable, audience the client) and drops openid from scopes", async () => {
    const state = randomState();
    const { code } = parseCallback(await authorize(state, "user:name,openid"), state);
    const token = await exchangeCode({ ...f.org, code, state, redirectUri: f.callbackUrl, ...f.at });
    expect(token.scopes).toEqual(["user:name", "grant:deployer"]);
    const claims = await verifyJwt(token.idToken!, { publicKey: f.server.publicKey, audience: "acme" });
    expect(claims).toMatchObject({ sub: "alice", iss: "itsyouonline", "user:name": "Alice Example" });
    expect(claims.iat).toEqual(expect.any(Number));
  });

  test("without openid there is no idToken", async () => {
    const state = randomState();
    const { code } = parseCallback(await authorize(state), state);
    expect("idToken" in await exchangeCode({ ...f.org, code, state, redirectUri: f.callbackUrl, ...f.at })).toBe(false);
  });

  test("trades a code from /v1/oauth/authorize for alice's token", async () => {
    const state = randomState();
    const { code } = parseCallback(await authorize(state), state);
    const token = await exchangeCode({ ...f.org, code, state, redirectUri: f.callbackUrl, ...f.at });
    expect(token.username).toBe("alice");
    expect(token.scopes).toEqual(["user:name", "user:memberof:acme", "grant:deployer"]);
    const body = Object.fromEntries(new URLSearchParams(f.server.requests.at(-1)!.body));
    expect(body).toEqual({
      grant_type: "authorization_code",
      code,
      redirect_uri: f.callbackUrl,
      state,
      client_id: f.org.clientId,
      client_secret: f.org.clientSecret,
    });
  });

  test("works without state: the server only checks it when sent", async () => {
    const state = randomState();
    const { code } = parseCallback(await authorize(state), state);
    const token = await exchangeCode({ ...f.org, code, redirectUri: f.callbackUrl, ...f.at });
    expect(token.username).toBe("alice");
  });

  test.each([
    ["the code expired (codes live 10 seconds)", 11, {}],
    ["redirect_uri differs", 0, { redirectUri: "https://app.example.com/callback/other" }],
    ["state differs", 0, { state: "another-state" }],
    ["the secret is wrong", 0, { clientSecret: "wrong-secret-value" }],
  ] as [string, number, Record<string, string>][])(
    "a 400 when %s says codes live 10 seconds and redirect_uri/state must match",
    async (_, advance, change) => {
      const state = randomState();
      const { code } = parseCallback(await authorize(state), state);
      f.server.advanceClock(advance);
      const options = { ...f.org, code, state, redirectUri: f.callbackUrl, ...f.at, ...change };
      const error = await rejects(exchangeCode(options), "HTTP_ERROR", {
        code,
        secret: f.org.clientSecret,
        wrong: options.clientSecret,
      });
      expect(error.status).toBe(400);
      expect(error.message).toMatch(/valid for 10 seconds/);
      expect(error.message).toMatch(/redirect_uri must equal/);
      expect(error.message).toMatch(/state must match/);
    },
  );
});

describe("getJwt()", () => {
  test("from credentials takes one request and returns an ES384 JWT that jose verifies", async () => {
    const jwt = await getJwt({ ...f.org }, { ...f.at, audience: ["deploy", "other"], validity: 600 });
    expect(f.server.count()).toBe(1);
    const body = Object.fromEntries(new URLSearchParams(f.server.requests[0].body));
    expect(body).toMatchObject({ response_type: "id_token", aud: "deploy,other", validity: "600" });
    expect(f.server.requests[0].headers.accept).toBe("application/jwt");
    const claims = await joseVerify(jwt);
    expect(claims).toMatchObject({
      azp: "acme",
      globalid: "acme",
      scope: ["organization:owner"],
      aud: ["deploy", "other"],
    });
    expect(claims.iat).toBeUndefined();
    expect(claims.exp! - f.server.now() / 1000).toBeGreaterThan(595);
    expect(claims.exp! - f.server.now() / 1000).toBeLessThanOrEqual(600);
  });

  test("from an access token string or object uses /v1/oauth/jwt with 'token' authorization", async () => {
    const token = await getAccessToken({ ...f.user, ...f.at });
    for (const from of [token, token.accessToken]) {
      const jwt = await getJwt(from, { ...f.at, scope: "user:memberof:acme" });
      expect(decodeJwt(jwt)).toMatchObject({ username: "alice", scope: ["user:memberof:acme"] });
    }
    const jwtRequests = f.server.requests.filter((request) => request.path === "/v1/oauth/jwt");
    expect(jwtRequests).toHaveLength(2);
    expect(jwtRequests[0].headers.authorization).toBe(`token ${token.accessToken}`);
    expect(jwtRequests[0].query).toBe("");
  });

  test("refreshable adds offline_access and yields a refresh_token claim", async () => {
    const jwt = await getJwt(f.org, { ...f.at, refreshable: true, scope: "organization:owner" });
    expect(new URLSearchParams(f.server.requests[0].body).get("scope")).toBe("organization:owner,offline_access");
    expect(decodeJwt(jwt).refresh_token).toMatch(/^[\w-]{28}$/);
  });

  test("storeInfo and addGrants put alice's name and grants in the scope claim", async () => {
    const jwt = await getJwt(f.user, { ...f.at, scope: "user:name", storeInfo: true, addGrants: true });
    expect(decodeJwt(jwt).scope).toEqual(["user:name", "[user:name]:Alice Example", "grant:deployer"]);
  });

  test("a scope the client was not granted is HTTP_ERROR 401 saying to check scope", async () => {
    const error = await rejects(getJwt(f.org, { ...f.at, scope: "user:name" }), "HTTP_ERROR", {
      secret: f.org.clientSecret,
    });
    expect(error.status).toBe(401);
    expect(error.message).toMatch(/check scope/);
  });

  test("an unknown access token is HTTP_ERROR 401 from /v1/oauth/jwt, and the token is not in the error", async () => {
    const error = await rejects(getJwt("unknownAccessToken0123456789", f.at), "HTTP_ERROR", {
      token: "unknownAccessToken0123456789",
    });
    expect(error).toMatchObject({ status: 401, endpoint: "/v1/oauth/jwt" });
  });

  test.each([["no exp", {}], ["exp -1e20", { exp: -1e20 }], ["exp 1e13", { exp: 1e13 }]])(
    "a JWT with %s from the server is INVALID_RESPONSE",
    async (_, claims) => {
      const b64 = (value: unknown): string => Buffer.from(JSON.stringify(value)).toString("base64url");
      const jwt = `${b64({ alg: "ES384" })}.${b64({ iss: "itsyouonline", ...claims })}.AAAA`;
      const fetch = (): Promise<Response> =>
        Promise.resolve(new Response(jwt, { headers: { "content-type": "application/jwt" } }));
      const error = await rejects(getJwt("token", { fetch }), "INVALID_RESPONSE", { jwt });
      expect(error.message).toMatch(/exp is missing or out of range/);
    },
  );

  test("accepts the JSON form {access_token} that the server sends when asked for JSON", async () => {
    const askForJson: typeof fetch = (input, init) =>
      fetch(input, { ...init, headers: { ...(init?.headers as Record<string, string>), accept: "application/json" } });
    const jwt = await getJwt(f.org, { ...f.at, fetch: askForJson });
    expect(decodeJwt(jwt).globalid).toBe("acme");
  });
});

describe("refreshJwt()", () => {
  test("returns a new JWT with the same refresh_token and audiences and a new exp", async () => {
    const jwt = await getJwt(f.org, { ...f.at, refreshable: true, audience: "deploy", validity: 60 });
    const renewed = await refreshJwt(jwt, { ...f.at, validity: 3600 });
    const before = decodeJwt(jwt);
    const after = await verifyJwt(renewed, { publicKey: f.server.publicKey, audience: "deploy" });
    expect(after).toMatchObject({ refresh_token: before.refresh_token, aud: ["deploy"], globalid: "acme" });
    expect(after.exp! - before.exp!).toBeGreaterThan(3000);
    const request = f.server.requests.at(-1)!;
    expect(request.path).toBe("/v1/oauth/jwt/refresh");
    expect(request.headers.authorization).toBe(`bearer ${jwt}`);
  });

  test("refreshes an expired JWT, as the server allows", async () => {
    const jwt = await getJwt(f.org, { ...f.at, refreshable: true, validity: 1 });
    f.server.advanceClock(3600);
    const renewed = await refreshJwt(jwt, f.at);
    expect(decodeJwt(renewed).exp).toBeGreaterThan(decodeJwt(jwt).exp! + 3600);
  });

  test("a JWT without refresh_token fails with NOT_REFRESHABLE and sends nothing", async () => {
    const jwt = await getJwt(f.org, f.at);
    const count = f.server.count();
    const error = await rejects(refreshJwt(jwt, f.at), "NOT_REFRESHABLE", { jwt });
    expect(error.message).toMatch(/refreshable: true/);
    expect(f.server.count()).toBe(count);
  });

  test("a refresh record gone after 30 days unused is HTTP_ERROR 401 saying to get a new JWT", async () => {
    const jwt = await getJwt(f.org, { ...f.at, refreshable: true });
    f.server.advanceClock(31 * 86_400);
    const error = await rejects(refreshJwt(jwt, f.at), "HTTP_ERROR", { jwt, refresh: decodeJwt(jwt).refresh_token });
    expect(error.status).toBe(401);
    expect(error.message).toMatch(/get a new JWT from the credentials/);
  });
});

describe("deriveJwt()", () => {
  // Earlier tests move the server's clock; these start with it in step with this machine's.
  beforeEach(() => f.server.advanceClock((Date.now() - f.server.now()) / 1000));

  /** A user's JWT (alice), refreshable unless told otherwise. */
  async function userJwt(options: { refreshable?: boolean; validity?: number; scope?: string } = {}): Promise<string> {
    const token = await getAccessToken({ ...f.user, ...f.at });
    return getJwt(token, {
      ...f.at,
      scope: options.scope ?? "user:name",
      refreshable: options.refreshable ?? true,
      validity: options.validity,
    });
  }

  test("sends Authorization: bearer <parent> to /v1/oauth/jwt with scope, aud and validity, in one request", async () => {
    const parent = await userJwt({ validity: 600 });
    f.server.reset();
    const child = await deriveJwt(parent, { ...f.at, audience: ["billing", "audit"], scope: "user:name" });
    const [request] = f.server.requests;
    expect(f.server.requests).toHaveLength(1);
    expect(request.path).toBe("/v1/oauth/jwt");
    expect(request.headers.authorization).toBe(`bearer ${parent}`);
    const form = new URLSearchParams(request.body);
    expect(form.get("scope")).toBe("user:name");
    expect(form.get("aud")).toBe("billing,audit");
    expect(Number(form.get("validity"))).toBeGreaterThan(590);
    expect(Number(form.get("validity"))).toBeLessThanOrEqual(600);
    const claims = await verifyJwt(child, { publicKey: f.server.publicKey, audience: "audit", scope: "user:name" });
    expect(claims).toMatchObject({ username: "alice", globalid: null });
    expect(claims).not.toHaveProperty("refresh_token");
    expect(claims.exp).toBeLessThanOrEqual(decodeJwt(parent).exp!);
  });

  test("without validity the derived JWT gets the parent's remaining life, not the server's 24 hours", async () => {
    const parent = await userJwt({ validity: 300 });
    const child = await deriveJwt(parent, { ...f.at, scope: "user:name" });
    expect(decodeJwt(child).exp).toBeLessThanOrEqual(decodeJwt(parent).exp!);
    expect(decodeJwt(child).exp! - f.server.now() / 1000).toBeGreaterThan(290);
  });

  test.each([
    ["refreshable: true", { refreshable: true }],
    ["the offline_access scope", { scope: "user:name,offline_access" }],
    ["offline_access in a scope list", { scope: ["offline_access"] }],
  ])("never asks for a refreshable JWT: %s is refused before sending", async (_, options) => {
    const parent = await userJwt();
    f.server.reset();
    const error = await rejects(deriveJwt(parent, { ...f.at, ...options } as never), "INVALID_ARGUMENT", { parent });
    expect(error.message).toMatch(/does not make refreshable JWTs .*renew it for 30 days/);
    expect(f.server.count()).toBe(0);
  });

  test.each([
    ["a user:admin parent, any organization", "user:admin", "user:memberof:acme"],
    [
      "a user:memberof:acme parent, an organization whose name starts with acme",
      "user:memberof:acme",
      "user:memberof:acme-prod",
    ],
    ["a user:memberof:acme parent, a sub-organization", "user:memberof:acme", "user:memberof:acme.admins"],
  ])(
    "asks for no user:memberof: scope the parent does not hold exactly: %s is refused before sending",
    async (_, held, asked) => {
      const parent = await userJwt({ scope: held });
      expect(decodeJwt(parent).scope).toEqual([held]);
      f.server.reset();
      const error = await rejects(deriveJwt(parent, { ...f.at, scope: ["user:name", asked] }), "INVALID_ARGUMENT", {
        parent,
      });
      expect(error.message).toContain(`The parent JWT does not hold "${asked}"`);
      expect(error.message).toMatch(/does not check membership when it derives/);
      expect(f.server.count()).toBe(0);
    },
  );

  test("passes on a user:memberof: scope the parent holds exactly; the derived JWT cannot prove it to verifyJwt", async () => {
    const parent = await userJwt({ scope: "user:memberof:acme" });
    const child = await deriveJwt(parent, { ...f.at, audience: "deploy", scope: "user:memberof:acme" });
    expect(decodeJwt(child).scope).toEqual(["user:memberof:acme"]);
    const key = { publicKey: f.server.publicKey, audience: "deploy" };
    const error = await rejects(verifyJwt(child, { ...key, scope: "user:memberof:acme" }), "JWT_CLAIM_INVALID", {
      child,
    });
    expect(error.claim).toBe("scope");
    expect(await verifyJwt(child, { ...key, scope: "user:memberof:acme", trustDelegatedMembership: true }))
      .toMatchObject({ scope: ["user:memberof:acme"] });
  });

  test("when the server's clock runs ahead, it asks again by the server's clock, so the child still does not outlive the parent", async () => {
    const parent = await userJwt({ validity: 600 });
    f.server.advanceClock(120); // the server is two minutes ahead of this machine
    f.server.reset();
    const child = await deriveJwt(parent, { ...f.at, scope: "user:name" });
    expect(f.server.count("/v1/oauth/jwt")).toBe(2);
    expect(decodeJwt(child).exp).toBeLessThanOrEqual(decodeJwt(parent).exp!);
  });

  test.each([
    [
      "an organization's JWT",
      () => getJwt(f.org, { ...f.at, refreshable: true }),
      /not a user's .*getJwt\(\{ clientId, clientSecret \}, \{ audience \}\)/,
    ],
    ["a user JWT without refresh_token", () => userJwt({ refreshable: false }), /no refresh_token.*refreshable: true/],
  ])("%s is refused before sending, saying what to do instead", async (_, make, message) => {
    const parent = await make();
    f.server.reset();
    const error = await rejects(deriveJwt(parent, f.at), "INVALID_ARGUMENT", { parent });
    expect(error.message).toMatch(message);
    expect(f.server.count()).toBe(0);
  });

  test("an expired parent is JWT_EXPIRED, saying to refresh it first, and sends nothing", async () => {
    const parent = await userJwt({ validity: 1 });
    await new Promise((resolve) => setTimeout(resolve, 2100)); // past its exp by this machine's clock
    f.server.reset();
    const error = await rejects(deriveJwt(parent, f.at), "JWT_EXPIRED", { parent });
    expect(error.message).toMatch(/refresh it first \(refreshJwt\)/);
    expect(f.server.count()).toBe(0);
  });

  test("a validity longer than the parent's remaining life is refused", async () => {
    const parent = await userJwt({ validity: 300 });
    const error = await rejects(deriveJwt(parent, { ...f.at, validity: 301 }), "INVALID_ARGUMENT", { parent });
    expect(error.message).toMatch(/never outlives its parent/);
  });

  test("a wider scope is a 401 that says a derived JWT can only narrow the parent's scopes", async () => {
    const error = await rejects(deriveJwt(await userJwt(), { ...f.at, scope: "user:admin" }), "HTTP_ERROR");
    expect(error.status).toBe(401);
    expect(error.message).toMatch(/can only narrow the parent's scopes/);
  });

  test("a 500 from the server is explained, and not retried (the server's panic repeats)", async () => {
    const parent = await userJwt();
    f.server.reset();
    f.server.inject({ path: "/v1/oauth/jwt", times: 4, fault: { type: "respond", status: 500 } });
    const error = await rejects(deriveJwt(parent, f.at), "HTTP_ERROR", { parent });
    expect(error.message).toMatch(/answers 500 to a parent it cannot derive from/);
    expect(f.server.count("/v1/oauth/jwt")).toBe(1);
  });

  test("a parent that is not a JWT is JWT_INVALID", async () => {
    await rejects(deriveJwt("not-a-jwt", f.at), "JWT_INVALID");
  });
});
