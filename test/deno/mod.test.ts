/**
 * mod.ts under real Deno, against the same local server (Deno runs its node:http code).
 * Run by `npm test` as `deno test --allow-net --allow-read --allow-write --allow-run --allow-env test/deno/`.
 */
import assert from "node:assert/strict";
import { createTokenSource, decodeJwt, getAccessToken, getJwt, ItsYouOnlineError, verifyJwt } from "../../mod.ts";
import type { ItsYouOnlineErrorCode } from "../../mod.ts";
import * as mod from "../../mod.ts";
import { CORE_CASES } from "../support/core-suite.ts";
import { closedPortUrl, coreSetting, startFixture } from "../support/fixture.ts";
import { assertNoLeaks } from "../support/leaks.ts";
import { FAILURE_CASES, runFailureCase, startFailureSetting } from "../support/classification.ts";
import { sequentialConnections } from "../support/connections.ts";

const f = await startFixture();

/** Tests share one server whose keep-alive sockets outlive a test, so the resource sanitizers are off. */
function it(name: string, fn: () => Promise<void>): void {
  Deno.test({ name, fn, sanitizeOps: false, sanitizeResources: false });
}

async function rejects(
  promise: Promise<unknown>,
  code: ItsYouOnlineErrorCode,
  secrets: Record<string, string> = {},
): Promise<ItsYouOnlineError> {
  const error = await promise.then(() => undefined, (caught: unknown) => caught);
  assert.ok(error instanceof ItsYouOnlineError, `expected an ItsYouOnlineError, got ${error}`);
  assert.equal(error.code, code, error.message);
  assertNoLeaks(secrets, { error });
  return error;
}

// The core flows every runtime runs (test/support/core-suite.ts), here on Deno's own fetch and WebCrypto.
const setting = await coreSetting(f);
for (const c of CORE_CASES) it(`core: ${c.name}`, () => c.run(mod, setting));

it("getJwt() from credentials makes one request, and verifyJwt() accepts it with the server's key", async () => {
  f.server.reset();
  const jwt = await getJwt(f.org, { ...f.at, audience: "deploy", validity: 120 });
  assert.equal(f.server.count(), 1);
  const claims = await verifyJwt(jwt, { publicKey: f.server.publicKey, audience: "deploy" });
  assert.equal(claims.globalid, "acme");
  assert.deepEqual(claims.aud, ["deploy"]);
});

it("a refused connection is NETWORK_ERROR; a slow server is TIMEOUT; 503 then success retries", async () => {
  await rejects(getAccessToken({ ...f.org, baseUrl: await closedPortUrl(), retries: 0 }), "NETWORK_ERROR", {
    secret: f.org.clientSecret,
  });
  f.server.reset();
  f.server.inject({ path: "/v1/oauth/access_token", fault: { type: "delay-headers", ms: 1000 } });
  await rejects(getAccessToken({ ...f.org, ...f.at, timeout: 100, retries: 0 }), "TIMEOUT");
  f.server.reset();
  f.server.inject({ path: "/v1/oauth/access_token", fault: { type: "respond", status: 503 } });
  await getAccessToken({ ...f.org, ...f.at });
  assert.equal(f.server.count("/v1/oauth/access_token"), 2);
});

it("bad input is INVALID_ARGUMENT and sends nothing; forged JWTs are refused", async () => {
  f.server.reset();
  await rejects(getAccessToken({ ...f.org, clientSecret: "x\n", ...f.at }), "INVALID_ARGUMENT");
  await rejects(getAccessToken({ ...f.org, baseUrl: "http://itsyou.online" }), "INVALID_ARGUMENT");
  await rejects(getJwt(f.org, { ...f.at, validity: 0 }), "INVALID_ARGUMENT");
  assert.equal(f.server.count(), 0);
  const jwt = await getJwt(f.org, f.at);
  const [h, p] = jwt.split(".");
  await rejects(verifyJwt(`${h}.${p}.`, { publicKey: f.server.publicKey }), "JWT_SIGNATURE_INVALID");
  await rejects(
    verifyJwt(`${btoa('{"alg":"none"}').replace(/=/g, "")}.${p}.`, { publicKey: f.server.publicKey }),
    "JWT_INVALID",
  );
  await rejects(verifyJwt(jwt), "JWT_SIGNATURE_INVALID");
});

it("a Deno script outside the repository imports mod.ts and fetches a verified JWT", async () => {
  const dir = await Deno.makeTempDir();
  const script = `${dir}/main.ts`;
  await Deno.writeTextFile(
    script,
    `
import { getAccessToken, getJwt, verifyJwt } from ${JSON.stringify(new URL("../../mod.ts", import.meta.url).href)};
const [baseUrl, clientId, publicKey] = Deno.args;
const clientSecret = Deno.env.get("SECRET")!;
const token = await getAccessToken({ clientId, clientSecret, baseUrl });
const claims = await verifyJwt(await getJwt(token, { baseUrl }), { publicKey });
console.log(JSON.stringify({ globalid: claims.globalid, iss: claims.iss }));
`,
  );
  const output = await new Deno.Command(Deno.execPath(), {
    args: [
      "run",
      "--no-config",
      "--allow-net=127.0.0.1",
      "--allow-env=SECRET",
      script,
      f.at.baseUrl,
      f.org.clientId,
      f.server.publicKey,
    ],
    env: { SECRET: f.org.clientSecret },
    cwd: dir,
  }).output();
  const stdout = new TextDecoder().decode(output.stdout);
  assert.equal(output.code, 0, new TextDecoder().decode(output.stderr));
  assert.deepEqual(JSON.parse(stdout), { globalid: "acme", iss: "itsyouonline" });
  await Deno.remove(dir, { recursive: true });
});

it("sequential calls on Deno's fetch share one connection", async () => {
  assert.deepEqual(await sequentialConnections(mod, f), { tokenThenJwt: 1, codeThenJwt: 1 });
});

it("without --allow-net for the server, the error names the flag to add, and nothing is retried", async () => {
  f.server.reset();
  const dir = await Deno.makeTempDir();
  const script = `${dir}/main.ts`;
  await Deno.writeTextFile(
    script,
    `
import { getAccessToken } from ${JSON.stringify(new URL("../../mod.ts", import.meta.url).href)};
try {
  await getAccessToken({ clientId: "acme", clientSecret: "s3cret-value", baseUrl: Deno.args[0] });
} catch (error) {
  console.log(JSON.stringify({ code: error.code, message: error.message }));
}
`,
  );
  const output = await new Deno.Command(Deno.execPath(), {
    args: ["run", "--no-config", "--no-prompt", "--allow-net=example.com", script, f.at.baseUrl],
    cwd: dir,
  }).output();
  const result = JSON.parse(new TextDecoder().decode(output.stdout));
  const host = new URL(f.at.baseUrl).host;
  assert.equal(result.code, "FETCH_ERROR");
  assert.ok(result.message.includes(`The runtime refused the request to ${host}`), result.message);
  assert.ok(result.message.includes(`--allow-net=${host}`), result.message);
  assert.ok(!result.message.includes("s3cret-value"), result.message);
  assert.equal(f.server.count(), 0);
  await Deno.remove(dir, { recursive: true });
});

it("createTokenSource(): a thousand concurrent jwt() calls make one request, then the cache serves", async () => {
  f.server.reset();
  const clock = { ms: f.server.now() };
  const tokens = createTokenSource({ ...f.org, ...f.at, validity: 600, now: () => clock.ms });
  const jwts = await Promise.all(Array.from({ length: 1000 }, () => tokens.jwt()));
  assert.equal(new Set(jwts).size, 1);
  assert.equal(f.server.count(), 1);
  const exp = decodeJwt(jwts[0]).exp! * 1000;
  clock.ms = exp - 62_000; // the server's Date header counts whole seconds: renewal may come up to 1 s early
  assert.equal(await tokens.jwt(), jwts[0]);
  assert.equal(f.server.count(), 1);
  clock.ms = exp - 60_000;
  f.server.advanceClock(1);
  assert.equal(await tokens.jwt(), jwts[0]); // still valid: handed out at once, renewed in the background
  for (let turn = 0; turn < 100 && f.server.count() < 2; turn++) await new Promise((r) => setTimeout(r, 10));
  assert.equal(f.server.count(), 2);
  clock.ms = exp; // expired by now: a caller gets the renewal's JWT (waiting for it if it is still in flight)
  assert.notEqual(await tokens.jwt(), jwts[0]);
  assert.equal(f.server.count(), 2);
  tokens.invalidate();
  await tokens.jwt();
  assert.equal(f.server.count(), 3);
});

it("createTokenSource(): refresh, fallback to the credentials on 401, failures not cached", async () => {
  f.server.reset();
  const clock = { ms: f.server.now() };
  const tokens = createTokenSource({
    ...f.org,
    ...f.at,
    refreshable: true,
    validity: 600,
    retries: 0,
    now: () => clock.ms,
  });
  const first = await tokens.jwt();
  clock.ms = decodeJwt(first).exp! * 1000;
  f.server.advanceClock(1);
  assert.equal(decodeJwt(await tokens.jwt()).refresh_token, decodeJwt(first).refresh_token);
  clock.ms += 40 * 86_400_000;
  f.server.advanceClock(40 * 86_400);
  const fallback = await tokens.jwt();
  assert.notEqual(decodeJwt(fallback).refresh_token, decodeJwt(first).refresh_token);
  assert.deepEqual(f.server.requests.map((request) => request.path), [
    "/v1/oauth/access_token",
    "/v1/oauth/jwt/refresh",
    "/v1/oauth/jwt/refresh",
    "/v1/oauth/access_token",
  ]);
  tokens.invalidate();
  f.server.inject({ path: "/v1/oauth/access_token", fault: { type: "respond", status: 400 } });
  await rejects(tokens.accessToken(), "HTTP_ERROR", { secret: f.org.clientSecret });
  // Within the refusal's backoff (2.5 to 5 s): the failure at once, nothing sent; after it, a new token.
  const paced = await rejects(tokens.accessToken(), "HTTP_ERROR", { secret: f.org.clientSecret });
  assert.match(paced.message, /tries again from .* on/);
  clock.ms += 10_000;
  assert.equal((await tokens.accessToken()).scopes[0], "organization:owner");
});

// Failure classification on Deno's own fetch: the same cases as the Node and Bun suites.
const failures = await startFailureSetting();
for (const c of FAILURE_CASES) {
  it(`classification: ${c.name}`, async () => {
    failures.f.server.reset();
    const { error, attempts } = await runFailureCase(failures, c);
    const itsYouError = await rejects(Promise.reject(error), c.code, { clientSecret: failures.f.org.clientSecret });
    if (c.message) assert.match(itsYouError.message, c.message);
    assert.equal(attempts, c.attempts);
  });
}
