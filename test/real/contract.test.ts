/**
 * The contract suite: mod.ts, dist/index.js and cli.ts against the real ItsYou.online server
 * (itsyouonline/identityserver at 333d788) over HTTPS, its test CA trusted through
 * NODE_EXTRA_CA_CERTS as users would. Run by `npm run test:real` (scripts/test-real.ts).
 */
import { beforeAll, describe, expect, test } from "vitest";
import { spawn } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import {
  createTokenSource,
  decodeJwt,
  deriveJwt,
  exchangeCode,
  getAccessToken,
  getJwt,
  isDerivedJwt,
  parseCallback,
  refreshJwt,
  verifyJwt,
} from "../../mod.ts";
import type { FetchFunction } from "../../mod.ts";
import { laterStepEnvironment, maskingProblems, runAction, runLaterStep } from "../support/action.ts";
import type { ActionRun } from "../support/action.ts";
import { rejects } from "../support/expect.ts";
import { findLeaks } from "../support/leaks.ts";
import {
  CODE_CLIENT,
  GUEST,
  LEAVER_ORG,
  LEAVERS,
  MEMBER_KEY,
  PREFIX_ORG,
  USER,
  USER_KEY,
} from "../../harness/real-seed.ts";
import { logInAndAuthorize, realServer, signWithServerKey } from "../../harness/real-server.ts";
import type { RealServer } from "../../harness/real-server.ts";

let server: RealServer;
let at: { baseUrl: string };
beforeAll(() => {
  server = realServer();
  at = { baseUrl: server.url };
});

const now = (): number => Math.floor(Date.now() / 1000);

/** testorg's JWT, signed with the server's key, whose refresh_token has no record on the server. */
const withUnknownRefreshToken = (refreshToken: string, scope: string[]): string =>
  signWithServerKey(server, {
    azp: "testorg",
    exp: now() + 60,
    globalid: "testorg",
    iss: "itsyouonline",
    refresh_token: refreshToken,
    scope,
  });

describe("access tokens", () => {
  test("an organization API key: organization:owner, 85799 seconds, no username", async () => {
    const token = await getAccessToken({ ...server.org, ...at });
    expect(token.scopes).toEqual(["organization:owner"]);
    expect(token.expiresIn).toBeGreaterThanOrEqual(85_790);
    expect(token.expiresIn).toBeLessThanOrEqual(85_800);
    expect(token.username).toBeUndefined();
  });

  test("a user API key (apikeys collection): user:admin, and the user's name", async () => {
    const token = await getAccessToken({ ...USER_KEY, ...at });
    expect(token.scopes).toEqual(["user:admin"]);
    expect(token.username).toBe(USER.username);
  });
});

describe("JWTs", () => {
  test("from an AccessToken, from its string, and from credentials in one request: the same claims, verified with the server's key", async () => {
    const token = await getAccessToken({ ...server.org, ...at });
    const fromToken = decodeJwt(await getJwt(token, at));
    const fromString = decodeJwt(await getJwt(token.accessToken, at));
    const direct = await getJwt(server.org, at);
    const claims = await verifyJwt(direct, { publicKey: server.publicKey });
    for (const decoded of [fromToken, fromString, claims]) {
      expect(decoded).toMatchObject({
        azp: "testorg",
        globalid: "testorg",
        iss: "itsyouonline",
        scope: ["organization:owner"],
      });
    }
  });

  test("scope, audience and validity as the real server applies them", async () => {
    const jwt = await getJwt(server.org, { ...at, scope: "organization:owner", audience: "deploy,ops", validity: 300 });
    const claims = await verifyJwt(jwt, { publicKey: server.publicKey, audience: "ops" });
    expect(claims.aud).toEqual(["deploy", "ops"]);
    expect(claims.scope).toEqual(["organization:owner"]);
    expect(claims.exp! - now()).toBeLessThanOrEqual(300);
    expect(claims.exp! - now()).toBeGreaterThan(290);
  });

  test("storeInfo puts the user's name in the scope claim; addGrants adds none for a user without grants", async () => {
    const token = await getAccessToken({ ...USER_KEY, ...at });
    const claims = decodeJwt(await getJwt(token, { ...at, scope: "user:name", storeInfo: true, addGrants: true }));
    expect(claims.scope).toEqual(["user:name", "[user:name]:Bob Example"]);
    expect(claims.username).toBe(USER.username);
  });

  test("refreshable: a refresh_token claim, and refreshJwt() renews it, keeping the refresh_token", async () => {
    const jwt = await getJwt(server.org, { ...at, refreshable: true, validity: 60 });
    const { refresh_token } = decodeJwt(jwt);
    expect(refresh_token).toEqual(expect.any(String));
    const renewed = await refreshJwt(jwt, { ...at, validity: 600 });
    const claims = await verifyJwt(renewed, { publicKey: server.publicKey });
    expect(claims.refresh_token).toBe(refresh_token);
    expect(claims.exp! - now()).toBeGreaterThan(590);
  });

  test("refreshJwt() renews an expired JWT, as the server allows", async () => {
    const jwt = await getJwt(server.org, { ...at, refreshable: true, validity: 1 });
    await new Promise((resolve) => setTimeout(resolve, 2100));
    await rejects(verifyJwt(jwt, { publicKey: server.publicKey, clockTolerance: 0 }), "JWT_EXPIRED");
    const renewed = await refreshJwt(jwt, at);
    expect((await verifyJwt(renewed, { publicKey: server.publicKey })).refresh_token).toBe(
      decodeJwt(jwt).refresh_token,
    );
  });
});

describe("every error the real server gives these flows", () => {
  test.each([
    ["a wrong secret", { clientId: "testorg", clientSecret: "wrong-secret-0123456789" }],
    ["an unknown client id", { clientId: "no-such-org", clientSecret: "wrong-secret-0123456789" }],
  ])("%s: HTTP_ERROR 400 naming the id, secret and the client credentials setting", async (_, credentials) => {
    const error = await rejects(getAccessToken({ ...credentials, ...at }), "HTTP_ERROR", {
      secret: credentials.clientSecret,
    });
    expect(error.status).toBe(400);
    expect(error.message).toMatch(/check the client id and secret.*client credentials flow enabled/);
  });

  test("an ungranted scope, through an access token: HTTP_ERROR 401 naming the scope", async () => {
    const token = await getAccessToken({ ...server.org, ...at });
    const error = await rejects(getJwt(token, { ...at, scope: "user:name" }), "HTTP_ERROR", {
      accessToken: token.accessToken,
    });
    expect(error.status).toBe(401);
    expect(error.message).toMatch(/every requested scope is granted/);
  });

  test("an ungranted scope, straight from the credentials: HTTP_ERROR 401", async () => {
    const error = await rejects(getJwt(server.org, { ...at, scope: "user:name" }), "HTTP_ERROR", {
      secret: server.org.clientSecret,
    });
    expect(error.status).toBe(401);
    expect(error.endpoint).toBe("/v1/oauth/access_token");
  });

  test("an unknown access token and an expired one (seeded two days old): HTTP_ERROR 401", async () => {
    for (const token of ["unknownAccessToken0123456789", "expiredAccessToken0123456789"]) {
      const error = await rejects(getJwt(token, at), "HTTP_ERROR", { token });
      expect(error.status).toBe(401);
      expect(error.message).toMatch(/check that the token is not expired/);
    }
  });

  test("an unknown refresh token (its record gone): HTTP_ERROR 401 saying to get a new JWT", async () => {
    const jwt = withUnknownRefreshToken("goneRefreshToken0123456789ab", ["organization:owner"]);
    const error = await rejects(refreshJwt(jwt, at), "HTTP_ERROR", { jwt });
    expect(error.status).toBe(401);
    expect(error.message).toMatch(/refresh record is gone/);
  });
});

describe("the authorization code flow, with a real login (password, then TOTP)", () => {
  test("log in, consent (seeded), redirect, parseCallback(), exchangeCode(), getJwt(), refreshJwt(); openid brings an id_token", async () => {
    const login = await logInAndAuthorize(server, "user:name,user:memberof:testorg,openid");
    expect(login.steps).toEqual([302, 204, 200, 302]);
    const { code, state } = parseCallback(login.callback, login.state);
    const token = await exchangeCode({ ...CODE_CLIENT, code, state, redirectUri: CODE_CLIENT.callbackUrl, ...at });
    expect(token.username).toBe(USER.username);
    expect(token.scopes).toEqual(["user:name"]); // bob is no member of testorg: the server drops that scope
    const idClaims = await verifyJwt(token.idToken!, { publicKey: server.publicKey, audience: "testorg" });
    expect(idClaims).toMatchObject({ sub: USER.username, "user:name": "Bob Example", iss: "itsyouonline" });
    const jwt = await getJwt(token, { ...at, refreshable: true });
    expect(await verifyJwt(jwt, { publicKey: server.publicKey })).toMatchObject({
      username: USER.username,
      azp: "testorg",
      scope: ["user:name"],
    });
    const renewed = await refreshJwt(jwt, { ...at, validity: 120 });
    expect(decodeJwt(renewed).refresh_token).toBe(decodeJwt(jwt).refresh_token);
  });

  test(
    "a code can be used again while it is valid (the server does not burn it), and not after its 10 seconds",
    async () => {
      const login = await logInAndAuthorize(server, "user:name");
      const { code, state } = parseCallback(login.callback, login.state);
      const exchange = (): Promise<unknown> =>
        exchangeCode({ ...CODE_CLIENT, code, state, redirectUri: CODE_CLIENT.callbackUrl, ...at });
      await exchange();
      await exchange();
      await new Promise((resolve) => setTimeout(resolve, 10_500));
      const error = await rejects(exchange(), "HTTP_ERROR", { code, secret: CODE_CLIENT.clientSecret });
      expect(error.status).toBe(400);
      expect(error.message).toMatch(/codes are valid for 10 seconds/);
    },
    30_000,
  );

  test("a wrong state or a wrong redirect_uri: HTTP_ERROR 400; another state in the callback: STATE_MISMATCH", async () => {
    const login = await logInAndAuthorize(server, "user:name");
    await rejects(Promise.resolve().then(() => parseCallback(login.callback, "another-state")), "STATE_MISMATCH");
    const { code, state } = parseCallback(login.callback, login.state);
    const base = { ...CODE_CLIENT, code, ...at };
    await rejects(
      exchangeCode({ ...base, state: "another-state", redirectUri: CODE_CLIENT.callbackUrl }),
      "HTTP_ERROR",
      { code },
    );
    await rejects(exchangeCode({ ...base, state, redirectUri: "https://app.example.com/elsewhere" }), "HTTP_ERROR", {
      code,
    });
    await exchangeCode({ ...base, state, redirectUri: CODE_CLIENT.callbackUrl }); // the code itself was fine
  });
});

/**
 * The real server does not check membership on delegation (createNewJWTFromParent discards its own filter):
 * these tests send the forging requests themselves, as anyone can, and hold verifyJwt to refusing what
 * comes back, and deriveJwt to never asking for it.
 */
describe("delegation cannot forge membership (the real server grants it; the library does not believe it)", () => {
  /** A refreshable JWT from a user API key (bob: in no organization; alice: owns testorg). */
  async function keyJwt(key: { clientId: string; clientSecret: string }, scope: string): Promise<string> {
    return getJwt(await getAccessToken({ ...key, ...at }), { ...at, scope, refreshable: true });
  }
  /** A delegation request as anyone can send it, without deriveJwt's checks. */
  async function forge(parent: string, scope: string): Promise<string> {
    const response = await fetch(`${server.url}/v1/oauth/jwt`, {
      method: "POST",
      headers: { authorization: `bearer ${parent}`, "content-type": "application/x-www-form-urlencoded" },
      body: new URLSearchParams({ scope, aud: "deploy-api" }),
    });
    expect(response.status).toBe(200);
    return response.text();
  }
  const verifyMembership = (jwt: string, scope: string) =>
    verifyJwt(jwt, { publicKey: server.publicKey, audience: "deploy-api", scope });

  test.each([
    ["bob, in no organization, from his user:admin JWT", USER_KEY, "user:admin", "user:memberof:testorg"],
    [
      "alice, owner of testorg, an organization whose name starts with testorg",
      MEMBER_KEY,
      "user:memberof:testorg",
      `user:memberof:${PREFIX_ORG}`,
    ],
  ])(
    "%s: the server grants the forged scope; verifyJwt refuses it (claim scope); deriveJwt does not ask for it",
    async (_, key, held, forged) => {
      // Asked for directly, the server checks membership and drops the scope.
      const direct = await getJwt(await getAccessToken({ ...key, ...at }), { ...at, scope: forged });
      expect(decodeJwt(direct).scope).toEqual([""]);
      const parent = await keyJwt(key, held);
      expect(decodeJwt(parent).scope).toEqual([held]);
      const jwt = await forge(parent, forged);
      expect(decodeJwt(jwt)).toMatchObject({ globalid: null, scope: [forged], aud: ["deploy-api"] });
      const error = await rejects(verifyMembership(jwt, forged), "JWT_CLAIM_INVALID", { jwt, parent });
      expect(error.claim).toBe("scope");
      expect(error.message).toMatch(/made by delegation .*does not check membership/);
      let sent = 0;
      const counting: FetchFunction = (input, init) => (sent++, fetch(input, init));
      await rejects(deriveJwt(parent, { ...at, scope: forged, fetch: counting }), "INVALID_ARGUMENT", { parent });
      expect(sent).toBe(0);
    },
  );

  test("a refreshable derived JWT refreshes for the refresh record's life and keeps globalid null: still refused", async () => {
    const child = await forge(await keyJwt(USER_KEY, "user:admin"), "user:memberof:testorg,offline_access");
    const renewed = await refreshJwt(child, at);
    expect(decodeJwt(renewed)).toMatchObject({ globalid: null, scope: ["user:memberof:testorg"] });
    const error = await rejects(verifyMembership(renewed, "user:memberof:testorg"), "JWT_CLAIM_INVALID", {
      renewed,
      child,
    });
    expect(error.claim).toBe("scope");
  });

  test("membership the server issued from the key itself verifies, refreshed too when trusted; so does the same derived JWT with trustDelegatedMembership", async () => {
    const own = await keyJwt(MEMBER_KEY, "user:memberof:testorg");
    const options = { publicKey: server.publicKey, scope: "user:memberof:testorg" };
    const short = await getJwt(await getAccessToken({ ...MEMBER_KEY, ...at }), { ...at, scope: options.scope });
    expect((await verifyJwt(short, options)).scope).toEqual(["user:memberof:testorg"]);
    // A refreshable JWT's membership is only as fresh as its first issue: taken only when trusted.
    await rejects(verifyJwt(own, options), "JWT_CLAIM_INVALID", { own });
    const refreshable = { ...options, trustRefreshableMembership: true };
    expect((await verifyJwt(await refreshJwt(own, at), refreshable)).scope).toEqual(["user:memberof:testorg"]);
    // deriveJwt passes on a membership the parent holds exactly; verifiers take it only when told to.
    const derived = await deriveJwt(own, { ...at, audience: "deploy-api", scope: "user:memberof:testorg" });
    await rejects(verifyMembership(derived, "user:memberof:testorg"), "JWT_CLAIM_INVALID", { derived });
    const trusted = await verifyJwt(derived, { ...options, audience: "deploy-api", trustDelegatedMembership: true });
    expect(trusted.scope).toEqual(["user:memberof:testorg"]);
  });
});

describe("membership the server does not vouch for: refreshed after leaving, and a suborganization asking as its parent", () => {
  test("carol leaves leaverorg; her refreshed JWT still says so; verifyJwt refuses membership from a refreshable JWT", async () => {
    const token = await getAccessToken({ ...LEAVERS.node.key, ...at });
    const jwt = await getJwt(token, {
      ...at,
      scope: `user:memberof:${LEAVER_ORG}`,
      refreshable: true,
      audience: "svc",
    });
    const required = { publicKey: server.publicKey, audience: "svc", scope: `user:memberof:${LEAVER_ORG}` };
    const leave = await fetch(`${server.url}/api/users/${LEAVERS.node.username}/organizations/${LEAVER_ORG}/leave`, {
      method: "DELETE",
      headers: { authorization: `token ${token.accessToken}` },
    });
    expect(leave.status).toBe(204);
    // Asked afresh, the server no longer grants the membership; a refresh repeats what it stored at first issue.
    expect(decodeJwt(await getJwt(token, { ...at, scope: `user:memberof:${LEAVER_ORG}` })).scope).not.toContain(
      `user:memberof:${LEAVER_ORG}`,
    );
    const renewed = await refreshJwt(jwt, at);
    expect(decodeJwt(renewed).scope).toEqual([`user:memberof:${LEAVER_ORG}`]);
    const error = await rejects(verifyJwt(renewed, required), "JWT_CLAIM_INVALID", { jwt: renewed });
    expect(error.message).toMatch(/can be refreshed .*repeats the membership .*proves nothing/);
    expect((await verifyJwt(renewed, { ...required, trustRefreshableMembership: true })).scope).toContain(
      `user:memberof:${LEAVER_ORG}`,
    );
  });

  test("dave, only in testorg.guests, gets user:memberof:testorg with client_id=testorg: verifyJwt cannot tell it from a member's", async () => {
    const token = await getAccessToken({ ...GUEST.key, ...at });
    expect(decodeJwt(await getJwt(token, { ...at, scope: "user:memberof:testorg" })).scope).not.toContain(
      "user:memberof:testorg",
    );
    // The library never sends client_id to /v1/oauth/jwt; a caller can.
    const response = await fetch(`${server.url}/v1/oauth/jwt`, {
      method: "POST",
      headers: { authorization: `token ${token.accessToken}`, "content-type": "application/x-www-form-urlencoded" },
      body: "scope=user:memberof:testorg&aud=svc&client_id=testorg",
    });
    expect(response.status).toBe(200);
    const jwt = await response.text();
    const claims = await verifyJwt(jwt, {
      publicKey: server.publicKey,
      audience: "svc",
      scope: "user:memberof:testorg",
    });
    expect(claims).toMatchObject({ username: GUEST.username, scope: ["user:memberof:testorg"] });
    expect(isDerivedJwt(claims)).toBe(false);
    // What the docs say to do: require the organization whose members you mean, not a parent of guests.
    await rejects(
      verifyJwt(jwt, { publicKey: server.publicKey, audience: "svc", scope: "user:memberof:testorg.staff" }),
      "JWT_CLAIM_INVALID",
    );
  });
});

describe("delegation: deriveJwt() and verifyJwt({ scope })", () => {
  /** A user's JWT (bob, from his user API key: user:admin). */
  async function userJwt(
    options: { scope?: string; refreshable?: boolean; validity?: number; audience?: string } = {},
  ): Promise<string> {
    const token = await getAccessToken({ ...USER_KEY, ...at });
    return getJwt(token, {
      ...at,
      scope: options.scope ?? "user:name",
      refreshable: options.refreshable ?? true,
      validity: options.validity ?? 600,
      audience: options.audience ?? "orders-api",
    });
  }

  test("for another audience, the parent's scope: the real server's claims, globalid null, not outliving the parent", async () => {
    const parent = await userJwt();
    const child = await deriveJwt(parent, { ...at, audience: "billing-api", scope: "user:name" });
    const claims = await verifyJwt(child, { publicKey: server.publicKey, audience: "billing-api", scope: "user:name" });
    expect(claims).toMatchObject({
      username: USER.username,
      aud: ["billing-api"],
      scope: ["user:name"],
      globalid: null,
      azp: USER_KEY.clientId,
    });
    expect(claims.refresh_token).toBeUndefined();
    expect(claims.exp).toBeLessThanOrEqual(decodeJwt(parent).exp!);
    expect(claims.exp! - now()).toBeGreaterThan(590);
  });

  test("a narrower scope from a user:admin parent", async () => {
    const parent = await userJwt({ scope: "user:admin" });
    const child = await deriveJwt(parent, { ...at, audience: "billing-api", scope: "user:name" });
    expect(decodeJwt(child).scope).toEqual(["user:name"]);
  });

  test("never refreshable: refreshable and offline_access are refused before sending", async () => {
    const parent = await userJwt();
    let sent = 0;
    const counting: FetchFunction = (input, init) => (sent++, fetch(input, init));
    for (const options of [{ refreshable: true }, { scope: "user:name,offline_access" }]) {
      const error = await rejects(
        deriveJwt(parent, { ...at, ...options, fetch: counting } as never),
        "INVALID_ARGUMENT",
        {
          parent,
        },
      );
      expect(error.message).toMatch(/does not make refreshable JWTs/);
    }
    expect(sent).toBe(0);
  });

  test.each([
    ["an organization's JWT", () => getJwt(server.org, { ...at, refreshable: true }), /not a user's/],
    ["a user JWT without refresh_token", () => userJwt({ refreshable: false }), /no refresh_token/],
  ])("%s is refused before sending (the real server would answer 500), saying what to do", async (_, make, message) => {
    const parent = await make();
    let sent = 0;
    const counting: FetchFunction = (input, init) => (sent++, fetch(input, init));
    const error = await rejects(deriveJwt(parent, { ...at, fetch: counting }), "INVALID_ARGUMENT", { parent });
    expect(error.message).toMatch(message);
    expect(sent).toBe(0);
  });

  test("a wider scope: 401 explained", async () => {
    const error = await rejects(deriveJwt(await userJwt(), { ...at, scope: "user:admin" }), "HTTP_ERROR");
    expect(error.status).toBe(401);
    expect(error.message).toMatch(/can only narrow the parent's scopes/);
  });

  test("the real server's 500 for a parent it cannot take is explained and not retried", async () => {
    // What deriveJwt refuses locally, sent anyway through a fetch that swaps in a non-refreshable parent.
    const good = await userJwt();
    const bad = await userJwt({ refreshable: false });
    let sent = 0;
    const swap: FetchFunction = (
      input,
      init,
    ) => (sent++, fetch(input, { ...init, headers: { ...init.headers, authorization: `bearer ${bad}` } }));
    const error = await rejects(deriveJwt(good, { ...at, fetch: swap }), "HTTP_ERROR", { good, bad });
    expect(error.status).toBe(500);
    expect(error.message).toMatch(/answers 500 to a parent it cannot derive from/);
    expect(sent).toBe(1);
  });

  test("verifyJwt({ scope }) names the missing scope", async () => {
    const jwt = await userJwt();
    const error = await rejects(
      verifyJwt(jwt, { publicKey: server.publicKey, anyAudience: true, scope: ["user:name", "user:memberof:testorg"] }),
      "JWT_CLAIM_INVALID",
    );
    expect(error.message).toMatch(/does not contain "user:memberof:testorg"/);
    expect(error.claim).toBe("scope");
  });
});

describe("createTokenSource()", () => {
  test("refreshable: renews through /v1/oauth/jwt/refresh, and falls back to the credentials on the server's 401", async () => {
    let clock = Date.now();
    const paths: string[] = [];
    let forgetRecord = false;
    const watching: FetchFunction = (input, init) => {
      paths.push(new URL(input).pathname);
      if (forgetRecord && input.endsWith("/refresh")) {
        // The record is gone: present a JWT whose refresh_token the server does not know (it answers 401 itself).
        const gone = withUnknownRefreshToken("forgottenRefreshToken0123456", []);
        init = { ...init, headers: { ...init.headers, authorization: `bearer ${gone}` } };
      }
      return fetch(input, init);
    };
    const tokens = createTokenSource({
      ...server.org,
      ...at,
      refreshable: true,
      validity: 120,
      refreshBefore: 30,
      now: () => clock,
      fetch: watching,
    });
    const first = await tokens.jwt();
    expect(await tokens.jwt()).toBe(first);
    clock += 100_000; // 20 s left: handed out at once, renewed behind the caller
    expect(await tokens.jwt()).toBe(first);
    clock += 30_000; // past its exp: this caller gets the renewal (waiting for it if it is still in flight)
    const renewed = await tokens.jwt();
    expect(renewed).not.toBe(first);
    expect(decodeJwt(renewed).refresh_token).toBe(decodeJwt(first).refresh_token);
    clock += 300_000; // everything expired: the next call waits for its renewal, which the server refuses
    forgetRecord = true;
    const fallback = await tokens.jwt();
    expect(decodeJwt(fallback).refresh_token).not.toBe(decodeJwt(first).refresh_token);
    expect(paths).toEqual([
      "/v1/oauth/access_token",
      "/v1/oauth/jwt/refresh",
      "/v1/oauth/jwt/refresh",
      "/v1/oauth/access_token",
    ]);
  });
});

describe("dist/index.js as the runner runs it", () => {
  const env = (): Record<string, string> => ({ NODE_EXTRA_CA_CERTS: server.caFile });
  const secretsOf = (run: ActionRun, clientSecret: string): Record<string, string> => ({
    clientSecret,
    accessToken: run.outputs["access-token"],
    jwt: run.outputs.jwt,
  });

  test("client credentials: outputs, and every secret masked before it could print", async () => {
    const run = await runAction({
      "client-id": server.org.clientId,
      "client-secret": server.org.clientSecret,
      "base-url": server.url,
      audience: "deploy",
    }, env());
    expect(run.status).toBe(0);
    expect(await verifyJwt(run.outputs.jwt, { publicKey: server.publicKey, audience: "deploy" })).toMatchObject({
      globalid: "testorg",
    });
    expect(run.outputs.scope).toBe("organization:owner");
    expect(maskingProblems(run, secretsOf(run, server.org.clientSecret), ["clientSecret", "accessToken", "jwt"]))
      .toEqual([]);
  });

  test("a user API key", async () => {
    const run = await runAction({
      "client-id": USER_KEY.clientId,
      "client-secret": USER_KEY.clientSecret,
      "base-url": server.url,
    }, env());
    expect(run.status).toBe(0);
    expect(run.outputs.username).toBe(USER.username);
    expect(maskingProblems(run, secretsOf(run, USER_KEY.clientSecret), ["clientSecret", "accessToken", "jwt"])).toEqual(
      [],
    );
  });

  test("the code flow, with openid: id-token among the outputs, masked first", async () => {
    const login = await logInAndAuthorize(server, "user:name,openid");
    const { code, state } = parseCallback(login.callback, login.state);
    const run = await runAction({
      "client-id": CODE_CLIENT.clientId,
      "client-secret": CODE_CLIENT.clientSecret,
      "base-url": server.url,
      "grant-type": "authorization_code",
      code,
      state,
      "redirect-uri": CODE_CLIENT.callbackUrl,
    }, env());
    expect(run.status).toBe(0);
    expect(run.outputs.username).toBe(USER.username);
    const secrets = { ...secretsOf(run, CODE_CLIENT.clientSecret), code, idToken: run.outputs["id-token"] };
    expect((await verifyJwt(secrets.idToken, { publicKey: server.publicKey, audience: "testorg" })).sub).toBe(
      USER.username,
    );
    expect(maskingProblems(run, secrets, Object.keys(secrets))).toEqual([]);
  });

  test("a failure: one error line, the secret masked and nowhere else", async () => {
    const run = await runAction({
      "client-id": "testorg",
      "client-secret": "wrong-secret-0123456789",
      "base-url": server.url,
    }, env());
    expect(run.status).toBe(1);
    const errors = run.stdout.split("\n").filter((line) => line.startsWith("::error::"));
    expect(errors).toEqual([
      expect.stringMatching(
        /^::error::itsyou-token-action: HTTP 400 Bad Request from \/v1\/oauth\/access_token\..*\[HTTP_ERROR\]$/,
      ),
    ]);
    expect(maskingProblems(run, { clientSecret: "wrong-secret-0123456789" }, ["clientSecret"])).toEqual([]);
    expect(findLeaks({ clientSecret: "wrong-secret-0123456789" }, { stderr: run.stderr, summary: run.summary }))
      .toEqual([]);
  });
});

describe("itsyou-token in a later step of the job", () => {
  test("renews the action's refreshable JWT at the real server, with only ITSYOU_JWT set and the CA only on the action's step", async () => {
    const job = mkdtempSync(join(tmpdir(), "itsyou-job-"));
    try {
      const run = await runAction(
        {
          "client-id": server.org.clientId,
          "client-secret": server.org.clientSecret,
          "base-url": server.url,
          refreshable: "true",
          validity: "600",
        },
        { NODE_EXTRA_CA_CERTS: server.caFile },
        job,
      );
      expect(run.status).toBe(0);
      const env = { ...laterStepEnvironment(run, { PATH: process.env.PATH ?? "" }), ITSYOU_JWT: run.outputs.jwt };
      expect(Object.keys(env).sort()).toEqual(["ITSYOU_JWT", "PATH"]);
      const step = await runLaterStep("itsyou-token --refresh --validity 300", env);
      expect(step.stderr).toBe("");
      expect(step.status).toBe(0);
      const renewed = step.stdout.trim();
      expect(renewed).not.toBe(run.outputs.jwt);
      const claims = await verifyJwt(renewed, { publicKey: server.publicKey });
      expect(claims).toMatchObject({ globalid: "testorg", refresh_token: decodeJwt(run.outputs.jwt).refresh_token });
      expect(claims.exp! - now()).toBeLessThanOrEqual(300);
    } finally {
      rmSync(job, { recursive: true, force: true });
    }
  });
});

describe("cli.ts under Deno, trusting the CA with --cert", () => {
  const deno = fileURLToPath(new URL("../../node_modules/.bin/deno", import.meta.url));
  const cli = (
    args: string[],
    secret = server.org.clientSecret,
  ): Promise<{ status: number | null; stdout: string; stderr: string }> => {
    const child = spawn(deno, ["run", "--allow-net", "--allow-env", "--cert", server.caFile, "cli.ts", ...args], {
      cwd: fileURLToPath(new URL("../..", import.meta.url)),
      env: {
        PATH: process.env.PATH ?? "",
        NO_COLOR: "1",
        ITSYOU_CLIENT_ID: server.org.clientId,
        ITSYOU_CLIENT_SECRET: secret,
        ITSYOU_BASE_URL: server.url,
      },
    });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (chunk) => (stdout += chunk));
    child.stderr.on("data", (chunk) => (stderr += chunk));
    return new Promise((resolve) => child.on("close", (status) => resolve({ status, stdout, stderr })));
  };

  test("prints a JWT the server's key verifies", async () => {
    const run = await cli(["--audience", "deploy"]);
    expect(run.stderr).toBe("");
    expect(await verifyJwt(run.stdout.trim(), { publicKey: server.publicKey, audience: "deploy" })).toMatchObject({
      globalid: "testorg",
    });
  });

  test("a wrong secret: one line on stderr, exit 1, no secret", async () => {
    const run = await cli([], "wrong-secret-0123456789");
    expect(run.status).toBe(1);
    expect(run.stderr).toMatch(/^itsyou: HTTP_ERROR: HTTP 400 Bad Request/);
    expect(findLeaks({ secret: "wrong-secret-0123456789" }, { stderr: run.stderr, stdout: run.stdout })).toEqual([]);
  });
});
