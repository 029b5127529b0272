/**
 * examples/: the receiving services users copy, each run as a user would run it (Node 24 for Express, Hono and
 * Fastify; Deno; Bun; workerd through miniflare) against the local server's JWTs, with the same requests and the
 * same expected answers; then the chain example, which derives a JWT for the next service and calls it.
 */
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { spawn, spawnSync } from "node:child_process";
import type { ChildProcess } from "node:child_process";
import { createServer } from "node:net";
import type { AddressInfo, Server } from "node:net";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { build } from "esbuild";
import { Miniflare } from "miniflare";
import { deriveJwt, getAccessToken, getJwt } from "../../mod.ts";
import type { JwtOptions } from "../../mod.ts";
import { useServerFixture } from "../support/expect.ts";
import { findLeaks } from "../support/leaks.ts";

const root = fileURLToPath(new URL("../..", import.meta.url));
const bin = (name: string): string => join(root, "node_modules/.bin", name);
const f = useServerFixture();
const children: ChildProcess[] = [];
const logs = new Map<string, () => string>();
const listeners: Server[] = [];

/** Each example, as its header says to run it. */
const EXAMPLES = {
  express: [bin("node"), "examples/express.ts"],
  hono: [bin("node"), "examples/hono.ts"],
  fastify: [bin("node"), "examples/fastify.ts"],
  deno: [bin("deno"), "run", "--allow-net=127.0.0.1", "--allow-env", "examples/deno-service.ts"],
  bun: [bin("bun"), "examples/bun-service.ts"],
} as const;
const CHAIN = [bin("node"), "examples/chain.ts"];
const SETTINGS = { AUDIENCE: "orders-api", SCOPE: "user:memberof:acme" };

/** Starts an example and resolves to the URL it prints ("listening on …"); logs.get(url)() is what it printed. */
function start(command: readonly string[], env: Record<string, string>): Promise<string> {
  // Its own process group, so that stopping it stops whatever it started too.
  const child = spawn(command[0], command.slice(1), {
    cwd: root,
    detached: true,
    env: { PATH: process.env.PATH ?? "", NO_COLOR: "1", PORT: "0", ...env },
  });
  children.push(child);
  return new Promise((resolve, reject) => {
    let output = "";
    child.stdout!.on("data", (chunk) => {
      output += chunk;
      const url = /listening on (http:\/\/\S+)/.exec(output)?.[1];
      if (url) {
        logs.set(url, () => output);
        resolve(url.replace(/\/$/, ""));
      }
    });
    child.stderr!.on("data", (chunk) => (output += chunk));
    child.on("exit", (code) => reject(new Error(`exited ${code}: ${output}`)));
  });
}

/** The worker example in workerd, bundled as users bundle it, its settings as the worker's variables. */
async function startWorker(bindings: Record<string, string>): Promise<{ url: string; mf: Miniflare }> {
  const bundle = await build({
    entryPoints: [join(root, "examples/worker.ts")],
    bundle: true,
    format: "esm",
    platform: "neutral",
    target: "es2022",
    write: false,
  });
  const mf = new Miniflare({
    modules: true,
    script: bundle.outputFiles[0].text,
    compatibilityDate: "2026-04-01",
    bindings,
    host: "127.0.0.1",
    port: 0,
  });
  return { url: (await mf.ready).origin, mf };
}

/** A loopback TCP port that accepts connections and never answers; `close` frees it, leaving a port where nothing listens. */
async function silentPort(): Promise<{ url: string; close: () => void }> {
  const listener = createServer(() => {}).listen(0, "127.0.0.1");
  await new Promise((resolve) => listener.once("listening", resolve));
  listeners.push(listener);
  return { url: `http://127.0.0.1:${(listener.address() as AddressInfo).port}`, close: () => listener.close() };
}

/** A JWT of the user alice, as her app would send it: for orders-api, with her membership in acme, not refreshable. */
async function aliceJwt(options: JwtOptions = {}): Promise<string> {
  const token = await getAccessToken({ ...f.user, ...f.at });
  return getJwt(token, { ...f.at, audience: "orders-api", scope: "user:memberof:acme", validity: 600, ...options });
}

interface Answer {
  status: number;
  body: Record<string, unknown>;
  challenge: string | null;
}

async function call(url: string, authorization?: string): Promise<Answer> {
  const response = await fetch(url, { headers: authorization === undefined ? {} : { authorization } });
  return { status: response.status, body: await response.json(), challenge: response.headers.get("www-authenticate") };
}

const urls: Record<string, string> = {};
let worker: Miniflare | undefined;
/** The Authorization header of each case, made once. */
const headers: Record<string, string | undefined> = {};

beforeAll(async () => {
  const common = { PUBLIC_KEY: f.server.publicKey, ...SETTINGS };
  for (const [name, command] of Object.entries(EXAMPLES)) urls[name] = await start(command, common);
  const started = await startWorker(common);
  urls.worker = started.url;
  worker = started.mf;

  const good = await aliceJwt();
  const refreshable = await aliceJwt({ refreshable: true });
  // Expired 60 s ago, past the 30 s tolerance: issued while the server's clock stood two minutes back.
  const token = await getAccessToken({ ...f.user, ...f.at });
  f.server.advanceClock(-120);
  const expired = await getJwt(token, { ...f.at, audience: "orders-api", scope: "user:memberof:acme", validity: 60 });
  f.server.advanceClock(120);
  Object.assign(headers, {
    good: `Bearer ${good}`,
    lowercase: `bearer ${good}`,
    none: undefined,
    basic: `Basic ${Buffer.from("alice:secret").toString("base64")}`,
    empty: "Bearer",
    two: `Bearer ${good} ${good}`,
    garbage: "Bearer not.a.jwt",
    expired: `Bearer ${expired}`,
    wrongAudience: `Bearer ${await aliceJwt({ audience: "billing-api" })}`,
    noAudience: `Bearer ${await aliceJwt({ audience: undefined })}`,
    noScope: `Bearer ${await aliceJwt({ scope: "user:name" })}`,
    derived: `Bearer ${await deriveJwt(refreshable, { ...f.at, audience: "orders-api", scope: "user:memberof:acme" })}`,
    refreshable: `Bearer ${refreshable}`,
  });
}, 60_000);

afterAll(async () => {
  for (const child of children) {
    if (child.pid !== undefined && child.exitCode === null) process.kill(-child.pid, "SIGTERM");
  }
  for (const listener of listeners) listener.close();
  await worker?.dispose();
});

const invalidToken = (reason: RegExp): [number, RegExp, RegExp] => [
  401,
  /^Bearer error="invalid_token", error_description="[^"\\]+"$/,
  reason,
];
const insufficientScope = (reason: RegExp): [number, RegExp, RegExp] => [
  403,
  /^Bearer error="insufficient_scope", error_description="[^"\\]+", scope="user:memberof:acme"$/,
  reason,
];

/** Each request, and the status, challenge and `error_description` every example must answer it with. */
const MATRIX: [string, string, number, RegExp, RegExp | undefined][] = [
  ["no Authorization header", "none", 401, /^Bearer$/, /^The request has no bearer token/],
  ["Basic credentials (another scheme)", "basic", 401, /^Bearer$/, /^The request has no bearer token/],
  [
    "Bearer with no token",
    "empty",
    400,
    /^Bearer error="invalid_request", error_description="The Authorization header says Bearer but holds no token/,
    /holds no token/,
  ],
  [
    "two tokens",
    "two",
    400,
    /^Bearer error="invalid_request", error_description="The Authorization header must hold exactly one bearer token/,
    /exactly one bearer token/,
  ],
  ["garbage", "garbage", ...invalidToken(/^The JWT's header is not UTF-8 JSON|not base64url/)],
  ["expired past the tolerance", "expired", ...invalidToken(/^The JWT expired at /)],
  ["a JWT for another audience", "wrongAudience", ...invalidToken(/aud does not contain the expected audience/)],
  ["a JWT without aud", "noAudience", ...invalidToken(/aud does not contain the expected audience/)],
  [
    "a JWT without the required scope",
    "noScope",
    ...insufficientScope(/scope claim does not contain "user:memberof:acme"/),
  ],
  ["membership from a derived JWT", "derived", ...insufficientScope(/made by delegation.*proves nothing/)],
  ["membership from a refreshable JWT", "refreshable", ...insufficientScope(/can be refreshed.*proves nothing/)],
];

describe.each(["express", "hono", "fastify", "deno", "bun", "worker"])("examples: %s", (name) => {
  test.each(MATRIX)(
    "%s: the status, challenge and reason RFC 6750 asks for",
    async (_, key, status, challenge, reason) => {
      const answer = await call(urls[name], headers[key]);
      expect(answer.status).toBe(status);
      expect(answer.challenge).toMatch(challenge);
      expect(String(answer.body.error_description)).toMatch(reason!);
      expect(answer.body.error).toBe(/error="(\w+)"/.exec(answer.challenge ?? "")?.[1]);
      const token = headers[key]?.split(" ")[1];
      if (token) {
        expect(findLeaks({ token }, { body: JSON.stringify(answer.body), challenge: answer.challenge ?? "" })).toEqual(
          [],
        );
      }
    },
  );

  test.each([["Bearer", "good"], ["bearer (the scheme in lower case)", "lowercase"]])(
    "a good JWT with %s: 200 naming the subject",
    async (_, key) => {
      const answer = await call(urls[name], headers[key]);
      expect(answer).toEqual({ status: 200, body: { subject: "alice" }, challenge: null });
    },
  );
});

describe("the examples refuse to start without their settings", () => {
  test.each(Object.entries(EXAMPLES))("%s: exit 2 without SCOPE, or without AUDIENCE, saying so", (_, command) => {
    for (const env of [{ AUDIENCE: "orders-api" }, { SCOPE: "user:name" }]) {
      const run = spawnSync(command[0], command.slice(1), {
        cwd: root,
        env: { PATH: process.env.PATH ?? "", NO_COLOR: "1", PORT: "0", ...env },
        encoding: "utf8",
        timeout: 15_000,
      });
      expect(run.status, JSON.stringify(env)).toBe(2);
      expect(run.stderr).toMatch(/^set AUDIENCE \(this service's audience\) and SCOPE/);
    }
  });

  test("the worker: a request without its variables is a 500, nothing verified", async () => {
    const bare = await startWorker({ PUBLIC_KEY: f.server.publicKey });
    try {
      expect((await fetch(bare.url, { headers: { authorization: headers.good! } })).status).toBe(500);
    } finally {
      await bare.mf.dispose();
    }
  });

  test("the chain: exit 2 without NEXT_AUDIENCE, so that no JWT is derived without an audience", () => {
    const run = spawnSync(CHAIN[0], CHAIN.slice(1), {
      cwd: root,
      env: { PATH: process.env.PATH ?? "", PORT: "0", ...SETTINGS, NEXT_URL: "http://127.0.0.1:9" },
      encoding: "utf8",
      timeout: 15_000,
    });
    expect(run.status).toBe(2);
    expect(run.stderr).toMatch(/NEXT_URL and NEXT_AUDIENCE/);
  });
});

describe("the chain: orders verifies, derives a JWT for billing (Express) and calls it", () => {
  let billing: string;
  /** The chain in front of `next`, with these settings on top of the usual ones. */
  const chain = (next: string, extra: Record<string, string> = {}): Promise<string> =>
    start(CHAIN, {
      PUBLIC_KEY: f.server.publicKey,
      ITSYOU_BASE_URL: f.at.baseUrl,
      AUDIENCE: "orders-api",
      SCOPE: "user:name",
      NEXT_URL: next,
      NEXT_AUDIENCE: "billing-api",
      NEXT_SCOPE: "user:name",
      ...extra,
    });
  /** The user's refreshable JWT, as her app sends it to her own backend, the one that derives. */
  const parent = (options: JwtOptions = {}): Promise<string> =>
    aliceJwt({ scope: "user:name", refreshable: true, ...options });

  beforeAll(async () => {
    billing = await start(EXAMPLES.express, {
      PUBLIC_KEY: f.server.publicKey,
      AUDIENCE: "billing-api",
      SCOPE: "user:name",
    });
  });

  test("a valid JWT: 200 from both, billing sees the user through a JWT derived for its audience and scope", async () => {
    const jwt = await parent({ validity: 120 });
    const orders = await chain(billing);
    f.server.reset();
    expect(await call(orders, `Bearer ${jwt}`)).toEqual({
      status: 200,
      body: { subject: "alice", next: { subject: "alice" } },
      challenge: null,
    });
    // One request to the server, the delegation, never outliving the parent; verifying needs none.
    expect(f.server.requests.map((request) => request.path)).toEqual(["/v1/oauth/jwt"]);
    const form = new URLSearchParams(f.server.requests[0].body);
    expect({ aud: form.get("aud"), scope: form.get("scope") }).toEqual({ aud: "billing-api", scope: "user:name" });
    expect(Number(form.get("validity"))).toBeLessThanOrEqual(120);
  });

  test("the next service refuses (no NEXT_SCOPE, so billing's 403): 502, without billing's body", async () => {
    const orders = await chain(billing, { NEXT_SCOPE: "" });
    const answer = await call(orders, `Bearer ${await parent()}`);
    expect(answer.status).toBe(502);
    expect(answer.body).toEqual({ error: "billing-api refused or failed the call (HTTP 403)" });
    expect(logs.get(orders)!()).toMatch(/billing-api answered HTTP 403/);
  });

  test("the next service unreachable: 503; silent past NEXT_TIMEOUT: 504; each naming only its audience", async () => {
    const silent = await silentPort();
    const closed = await silentPort();
    closed.close();
    for (
      const [next, status, error] of [
        [closed.url, 503, "billing-api is unavailable; try again later"],
        [silent.url, 504, "billing-api did not answer in time; try again later"],
      ] as const
    ) {
      const orders = await chain(next, { NEXT_TIMEOUT: "300" });
      const answer = await call(orders, `Bearer ${await parent()}`);
      expect(answer, next).toMatchObject({ status, body: { error } });
      expect(logs.get(orders)!()).toMatch(/calling billing-api failed: /);
    }
  });

  test("ItsYou.online unreachable: 503 without the internal address or errno; the reason is logged", async () => {
    const nowhere = await silentPort();
    nowhere.close();
    const orders = await chain(billing, { ITSYOU_BASE_URL: nowhere.url });
    const answer = await call(orders, `Bearer ${await parent()}`);
    expect(answer).toMatchObject({ status: 503, body: { error: "ItsYou.online is unavailable; try again later" } });
    expect(logs.get(orders)!()).toMatch(/deriving a JWT for billing-api failed: .*127\.0\.0\.1/);
  });

  test("a JWT that cannot be a parent (not refreshable): 403 saying why; ItsYou.online refuses it: 401", async () => {
    const orders = await chain(billing);
    const notRefreshable = await call(orders, `Bearer ${await parent({ refreshable: false })}`);
    expect(notRefreshable.status).toBe(403);
    expect(String(notRefreshable.body.error_description)).toMatch(/no refresh_token.*refreshable: true/);
    const jwt = await parent();
    f.server.inject({ path: "/v1/oauth/jwt", fault: { type: "respond", status: 401, body: "Unauthorized\n" } });
    const refused = await call(orders, `Bearer ${jwt}`);
    expect(refused.status).toBe(401);
    expect(refused.challenge).toMatch(/^Bearer error="invalid_token"/);
  });
});
