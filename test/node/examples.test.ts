// deno-lint-ignore-file require-await -- async wrappers here turn a synchronous throw into the rejection the test awaits
/**
 * examples/: the receiving services users copy, run as they would run them (Deno and Node 24 child
 * processes) against the local server: the Deno service (orders) derives a JWT for the Node service
 * (billing) and calls it on the user's behalf.
 */
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { spawn, spawnSync } from "node:child_process";
import { createServer } from "node:net";
import type { AddressInfo, Server } from "node:net";
import type { ChildProcess } from "node:child_process";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { getAccessToken, getJwt } from "../../mod.ts";
import { useServerFixture } from "../support/expect.ts";
import { findLeaks } from "../support/leaks.ts";

const root = fileURLToPath(new URL("../..", import.meta.url));
const f = useServerFixture();
const children: ChildProcess[] = [];
const logs = new Map<string, () => string>();
let orders: string;
let billing: string;
const NODE = [join(root, "node_modules/.bin/node"), "examples/node-service.ts"];
const DENO = [
  join(root, "node_modules/.bin/deno"),
  "run",
  "--allow-net=127.0.0.1",
  "--allow-env",
  "examples/deno-service.ts",
];

/** Starts an example and resolves to the URL it prints ("listening on …"); logs.get(url)() is what it printed. */
function start(command: string[], env: Record<string, string>): Promise<string> {
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
        resolve(url);
      }
    });
    child.stderr!.on("data", (chunk) => (output += chunk));
    child.on("exit", (code) => reject(new Error(`exited ${code}: ${output}`)));
  });
}

beforeAll(async () => {
  const common = { PUBLIC_KEY: f.server.publicKey, ITSYOU_BASE_URL: f.at.baseUrl, SCOPE: "user:name" };
  billing = await start(NODE, { ...common, AUDIENCE: "billing-api" });
  orders = await start(DENO, { ...common, AUDIENCE: "orders-api", NEXT_URL: billing, NEXT_AUDIENCE: "billing-api" });
}, 30_000);

const listeners: Server[] = [];
afterAll(() => {
  for (const child of children) {
    if (child.pid !== undefined && child.exitCode === null) process.kill(-child.pid, "SIGTERM");
  }
  for (const listener of listeners) listener.close();
});

/** A loopback TCP port that accepts connections and never answers; `close` frees it, leaving a port where nothing listens. */
async function silentPort(): Promise<{ url: string; close: () => void }> {
  const listener = createServer(() => {}).listen(0, "127.0.0.1");
  await new Promise((resolve) => listener.once("listening", resolve));
  listeners.push(listener);
  return {
    url: `http://127.0.0.1:${(listener.address() as AddressInfo).port}`,
    close: () => listener.close(),
  };
}

/** A JWT of the user alice, as her app would send it. */
async function userJwt(
  options: { audience?: string; scope?: string; refreshable?: boolean; validity?: number } = {},
): Promise<string> {
  const token = await getAccessToken({ ...f.user, ...f.at });
  return getJwt(token, {
    ...f.at,
    audience: options.audience ?? "orders-api",
    scope: options.scope ?? "user:name",
    refreshable: options.refreshable ?? true,
    validity: options.validity ?? 600,
  });
}

async function call(
  url: string,
  jwt?: string,
): Promise<{ status: number; body: Record<string, unknown>; wwwAuthenticate: string | null }> {
  const response = await fetch(url, { headers: jwt === undefined ? {} : { authorization: `bearer ${jwt}` } });
  return {
    status: response.status,
    body: await response.json(),
    wwwAuthenticate: response.headers.get("www-authenticate"),
  };
}

describe("a chain of services: the Deno service verifies, derives for the Node service, and calls it", () => {
  test("a valid JWT: 200 from both, billing sees the user through a derived JWT", async () => {
    const jwt = await userJwt();
    f.server.reset();
    const { status, body } = await call(orders, jwt);
    expect(status).toBe(200);
    expect(body).toEqual({
      service: "orders-api",
      user: "alice",
      next: { status: 200, body: { service: "billing-api", user: "alice" } },
    });
    // One request to the server: the delegation; verifying needs none.
    expect(f.server.requests.map((request) => request.path)).toEqual(["/v1/oauth/jwt"]);
    expect(f.server.requests[0].headers.authorization).toBe(`bearer ${jwt}`);
  });

  const services = (): [string, string][] => [["orders-api", orders], ["billing-api", billing]];
  test.each(
    [
      ["no Authorization header: 401", undefined, 401, /send Authorization: bearer/],
      [
        "a JWT for another audience: 401",
        (audience: string) => userJwt({ audience: `not-${audience}` }),
        401,
        /aud does not contain the expected audience/,
      ],
      [
        "a JWT without the required scope: 403",
        (audience: string) => userJwt({ audience, scope: "user:admin" }),
        403,
        /scope claim does not contain "user:name"/,
      ],
      [
        "a forged JWT: 401",
        async (audience: string) => `${(await userJwt({ audience })).slice(0, -8)}AAAAAAAA`,
        401,
        /signature does not match/,
      ],
      ["not a JWT: 401", async () => "not-a-jwt", 401, /dot-separated parts/],
    ] as const,
  )("%s, with the reason, in both services; nothing derived", async (_, make, expected, reason) => {
    f.server.reset();
    for (const [audience, url] of services()) {
      const jwt = make === undefined ? undefined : await make(audience);
      f.server.reset();
      const { status, body, wwwAuthenticate } = await call(url, jwt);
      expect(status, audience).toBe(expected);
      expect(String(body.error)).toMatch(reason);
      expect(wwwAuthenticate).toBe(expected === 401 ? 'Bearer realm="itsyou.online"' : null);
      if (jwt) expect(findLeaks({ jwt }, { body: JSON.stringify(body) })).toEqual([]);
      expect(f.server.count()).toBe(0);
    }
  });

  test("a valid JWT that cannot be a parent (not refreshable): orders answers 403 saying why, billing is not called", async () => {
    const jwt = await userJwt({ refreshable: false });
    const { status, body } = await call(orders, jwt);
    expect(status).toBe(403);
    expect(String(body.error)).toMatch(/no refresh_token.*refreshable: true/);
  });

  test("the JWT billing received does not outlive the one orders received", async () => {
    // Billing echoes nothing of the token; check through the server's record of the delegation instead.
    const jwt = await userJwt({ validity: 120 });
    f.server.reset();
    await call(orders, jwt);
    const form = new URLSearchParams(f.server.requests[0].body);
    expect(Number(form.get("validity"))).toBeLessThanOrEqual(120);
    expect(form.get("aud")).toBe("billing-api");
  });

  test("a JWT that expired within verifyJwt's 30 s tolerance: orders answers 401 with a short reason, nothing leaked", async () => {
    const jwt = await userJwt({ validity: 1 });
    await new Promise((resolve) => setTimeout(resolve, 2100));
    const { status, body, wwwAuthenticate } = await call(orders, jwt);
    expect(status).toBe(401);
    expect(body).toEqual({ error: "ItsYou.online refused this JWT (expired or revoked); get a new one" });
    expect(wwwAuthenticate).toBe('Bearer realm="itsyou.online"');
  });

  test("a JWT ItsYou.online refuses to derive from (its 401): orders answers 401", async () => {
    const jwt = await userJwt();
    f.server.inject({ path: "/v1/oauth/jwt", fault: { type: "respond", status: 401, body: "Unauthorized\n" } });
    const { status, body } = await call(orders, jwt);
    expect(status).toBe(401);
    expect(body.error).toMatch(/^ItsYou.online refused this JWT/);
  });
});

describe("the examples are safe to copy", () => {
  test.each([["the Deno service", DENO], ["the Node service", NODE]])(
    "%s refuses to start without SCOPE, or without AUDIENCE",
    (_, command) => {
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
    },
  );

  test.each([["the Deno service", DENO], ["the Node service", NODE]])(
    "%s: ItsYou.online unreachable is a 503 without the internal address, errno or upstream text; the reason is logged",
    async (_, command) => {
      const nowhere = await silentPort();
      nowhere.close();
      const isolated = await start(command, {
        PUBLIC_KEY: f.server.publicKey,
        ITSYOU_BASE_URL: nowhere.url,
        SCOPE: "user:name",
        AUDIENCE: "orders-api",
        NEXT_URL: billing,
        NEXT_AUDIENCE: "billing-api",
      });
      const { status, body } = await call(isolated, await userJwt());
      expect(status).toBe(503);
      expect(body).toEqual({ error: "ItsYou.online is unavailable; try again later" });
      expect(logs.get(isolated)!()).toMatch(/deriving a JWT for billing-api failed: .*127\.0\.0\.1/);
    },
  );

  test.each([["the Deno service", DENO], ["the Node service", NODE]])(
    "%s: the next service unreachable, or silent past NEXT_TIMEOUT, is a 503 naming only its audience; the reason is logged",
    async (_, command) => {
      const silent = await silentPort();
      const closed = await silentPort();
      closed.close();
      for (const next of [closed.url, silent.url]) {
        const caller = await start(command, {
          PUBLIC_KEY: f.server.publicKey,
          ITSYOU_BASE_URL: f.at.baseUrl,
          SCOPE: "user:name",
          AUDIENCE: "orders-api",
          NEXT_URL: next,
          NEXT_AUDIENCE: "billing-api",
          NEXT_TIMEOUT: "300",
        });
        const { status, body } = await call(caller, await userJwt());
        expect(status, next).toBe(503);
        expect(body).toEqual({ error: "billing-api is unavailable; try again later" });
        expect(logs.get(caller)!()).toMatch(/calling billing-api failed: /);
      }
    },
  );
});
