/**
 * The contract suite under Deno: mod.ts against the real ItsYou.online server over HTTPS, its
 * test CA trusted with `deno test --cert` as users would. Run by `npm run test:real`.
 */
import assert from "node:assert/strict";
import {
  decodeJwt,
  deriveJwt,
  exchangeCode,
  getAccessToken,
  getJwt,
  isDerivedJwt,
  ItsYouOnlineError,
  parseCallback,
  refreshJwt,
  verifyJwt,
  verifyRequest,
} from "../../mod.ts";
import { assertNoLeaks } from "../support/leaks.ts";
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
import { logInAndAuthorize, realServer } from "../../harness/real-server.ts";

const server = realServer();
const at = { baseUrl: server.url };

/** bob's refreshable JWT for orders-api (user:name, 10 minutes), from his user key: what a frontend sends on. */
async function ordersApiJwt(): Promise<string> {
  const user = await getAccessToken({ ...USER_KEY, ...at });
  return getJwt(user, { ...at, scope: "user:name", audience: "orders-api", refreshable: true, validity: 600 });
}

function it(name: string, fn: () => Promise<void>): void {
  Deno.test({ name, fn, sanitizeOps: false, sanitizeResources: false });
}

it("an organization key and a user key get their access tokens", async () => {
  assert.deepEqual((await getAccessToken({ ...server.org, ...at })).scopes, ["organization:owner"]);
  const user = await getAccessToken({ ...USER_KEY, ...at });
  assert.equal(user.username, USER.username);
  assert.deepEqual(user.scopes, ["user:admin"]);
});

it("a JWT straight from the credentials, verified with the server's key; refreshed", async () => {
  const jwt = await getJwt(server.org, { ...at, audience: "deploy", refreshable: true, validity: 120 });
  const claims = await verifyJwt(jwt, { publicKey: server.publicKey, audience: "deploy" });
  assert.equal(claims.globalid, "testorg");
  const renewed = await refreshJwt(jwt, at);
  assert.equal(decodeJwt(renewed).refresh_token, claims.refresh_token);
});

it("the code flow with a real login: exchangeCode() with an id_token, then a JWT", async () => {
  const login = await logInAndAuthorize(server, "user:name,openid");
  const { code, state } = parseCallback(login.callback, login.state);
  const token = await exchangeCode({ ...CODE_CLIENT, code, state, redirectUri: CODE_CLIENT.callbackUrl, ...at });
  assert.equal(token.username, USER.username);
  assert.equal(
    (await verifyJwt(token.idToken!, { publicKey: server.publicKey, audience: "testorg" })).sub,
    USER.username,
  );
  assert.equal((await verifyJwt(await getJwt(token, at), { publicKey: server.publicKey })).username, USER.username);
});

it("a wrong secret is HTTP_ERROR 400, the secret nowhere in the error", async () => {
  const secret = "wrong-secret-0123456789";
  const error = await getAccessToken({ clientId: "testorg", clientSecret: secret, ...at }).catch((caught: unknown) =>
    caught
  );
  assert.ok(error instanceof ItsYouOnlineError);
  assert.equal(error.code, "HTTP_ERROR");
  assert.equal(error.status, 400);
  assertNoLeaks({ secret }, { error });
});

it("deriveJwt(): a JWT for another audience from a user's refreshable JWT, never outliving it", async () => {
  const parent = await ordersApiJwt();
  const child = await deriveJwt(parent, { ...at, audience: "billing-api", scope: "user:name" });
  const claims = await verifyJwt(child, { publicKey: server.publicKey, audience: "billing-api", scope: "user:name" });
  assert.equal(claims.username, USER.username);
  assert.equal(claims.globalid, null);
  assert.ok(claims.exp! <= decodeJwt(parent).exp!);
});

it("delegation cannot forge membership: the server grants it, verifyJwt refuses it, deriveJwt does not ask for it", async () => {
  for (
    const [key, held, forged] of [
      [USER_KEY, "user:admin", "user:memberof:testorg"],
      [MEMBER_KEY, "user:memberof:testorg", `user:memberof:${PREFIX_ORG}`],
    ] as const
  ) {
    const parent = await getJwt(await getAccessToken({ ...key, ...at }), { ...at, scope: held, refreshable: true });
    const response = await fetch(`${server.url}/v1/oauth/jwt`, {
      method: "POST",
      headers: { authorization: `bearer ${parent}`, "content-type": "application/x-www-form-urlencoded" },
      body: new URLSearchParams({ scope: forged }),
    });
    assert.equal(response.status, 200);
    const jwt = await response.text();
    assert.deepEqual(decodeJwt(jwt).scope, [forged]);
    const refused = await verifyJwt(jwt, { publicKey: server.publicKey, scope: forged }).catch((e: unknown) => e);
    assert.ok(refused instanceof ItsYouOnlineError && refused.claim === "scope", String(refused));
    assertNoLeaks({ jwt, parent }, { error: refused });
    const asked = await deriveJwt(parent, { ...at, scope: forged }).catch((e: unknown) => e);
    assert.ok(asked instanceof ItsYouOnlineError && asked.code === "INVALID_ARGUMENT", String(asked));
  }
  const own = await getJwt(await getAccessToken({ ...MEMBER_KEY, ...at }), { ...at, scope: "user:memberof:testorg" });
  assert.deepEqual((await verifyJwt(own, { publicKey: server.publicKey, scope: "user:memberof:testorg" })).scope, [
    "user:memberof:testorg",
  ]);
});

it("verifyRequest(): the user's JWT from a Request, and the answers RFC 6750 asks for", async () => {
  const user = await getAccessToken({ ...USER_KEY, ...at });
  const jwt = await getJwt(user, { ...at, scope: "user:name", audience: "orders-api" });
  const options = { publicKey: server.publicKey, audience: "orders-api", scope: "user:name" };
  const request = (authorization: string): Request =>
    new Request("http://orders.test/", { headers: { authorization } });
  const good = await verifyRequest(request(`bearer ${jwt}`), options);
  assert.ok(good.ok && good.claims.username === USER.username);
  const refused = await verifyRequest(request(`Bearer ${jwt}`), { ...options, audience: "billing-api" });
  assert.ok(!refused.ok && refused.status === 401 && refused.body.error === "invalid_token");
  const withoutScope = await getJwt(user, { ...at, scope: "user:admin", audience: "orders-api" });
  const missing = await verifyRequest(request(`Bearer ${withoutScope}`), options);
  assert.ok(!missing.ok && missing.status === 403);
  assert.match(missing.headers["www-authenticate"], /^Bearer error="insufficient_scope", .*scope="user:name"$/);
  assertNoLeaks({ jwt, withoutScope }, { refused, missing });
});

it("membership repeated by a refresh after erin left is refused by default; trustRefreshableMembership accepts it", async () => {
  const token = await getAccessToken({ ...LEAVERS.deno.key, ...at });
  const scope = `user:memberof:${LEAVER_ORG}`;
  const jwt = await getJwt(token, { ...at, scope, refreshable: true });
  const leave = await fetch(`${server.url}/api/users/${LEAVERS.deno.username}/organizations/${LEAVER_ORG}/leave`, {
    method: "DELETE",
    headers: { authorization: `token ${token.accessToken}` },
  });
  assert.equal(leave.status, 204);
  await leave.body?.cancel();
  const renewed = await refreshJwt(jwt, at);
  assert.deepEqual(decodeJwt(renewed).scope, [scope]);
  const refused = await verifyJwt(renewed, { publicKey: server.publicKey, scope }).catch((e: unknown) => e);
  assert.ok(refused instanceof ItsYouOnlineError && /can be refreshed/.test(refused.message), String(refused));
  const trusted = await verifyJwt(renewed, { publicKey: server.publicKey, scope, trustRefreshableMembership: true });
  assert.deepEqual(trusted.scope, [scope]);
});

it("a member of testorg.guests asking with client_id=testorg gets user:memberof:testorg, indistinguishable in the claims", async () => {
  const token = await getAccessToken({ ...GUEST.key, ...at });
  const response = await fetch(`${server.url}/v1/oauth/jwt`, {
    method: "POST",
    headers: { authorization: `token ${token.accessToken}`, "content-type": "application/x-www-form-urlencoded" },
    body: "scope=user:memberof:testorg&client_id=testorg",
  });
  assert.equal(response.status, 200);
  const claims = await verifyJwt(await response.text(), {
    publicKey: server.publicKey,
    scope: "user:memberof:testorg",
  });
  assert.equal(claims.username, GUEST.username);
  assert.equal(isDerivedJwt(claims), false);
});
