// deno-lint-ignore-file require-await -- async wrappers here turn a synchronous throw into the rejection the test awaits
/** How mod.ts talks to the server: retries, timeouts, redirects, size caps, aborts and bad input. */
import { afterEach, describe, expect, test, vi } from "vitest";
import fc from "fast-check";
import {
  authorizeUrl,
  createTokenSource,
  exchangeCode,
  getAccessToken,
  getJwt,
  ItsYouOnlineError,
  refreshJwt,
  resolveBaseUrl,
  verifyJwt,
} from "../../mod.ts";
import type { FetchFunction } from "../../mod.ts";
import * as mod from "../../mod.ts";
import { closedPortUrl } from "../support/fixture.ts";
import { sequentialConnections } from "../support/connections.ts";
import { forbiddenFetch, rejects, useServerFixture } from "../support/expect.ts";

const f = useServerFixture();

const TOKEN_PATH = "/v1/oauth/access_token";
const b64url = (text: string): string => btoa(text).replace(/=+$/, "").replace(/\+/g, "-").replace(/\//g, "_");
/** An unsigned JWT with a refresh_token claim: refreshJwt() sends it without verifying. */
const REFRESHABLE_JWT = `${b64url('{"alg":"ES384"}')}.${b64url('{"refresh_token":"r","exp":1}')}.AAAA`;

describe("retries", () => {
  test.each([429, 500, 502, 503, 504])("HTTP %i once, then success: two requests", async (status) => {
    f.server.inject({ path: TOKEN_PATH, fault: { type: "respond", status, body: "" } });
    const token = await getAccessToken({ ...f.org, ...f.at });
    expect(token.scopes).toEqual(["organization:owner"]);
    expect(f.server.count(TOKEN_PATH)).toBe(2);
  });

  test("a 500 every time gives up after 1 + retries requests, saying how many attempts", async () => {
    f.server.inject({ path: TOKEN_PATH, times: 10, fault: { type: "respond", status: 500, body: "" } });
    const error = await rejects(getAccessToken({ ...f.org, ...f.at, retries: 2 }), "HTTP_ERROR", {
      secret: f.org.clientSecret,
    });
    expect(error.status).toBe(500);
    expect(error.message).toMatch(/gave up after 3 attempts/);
    expect(f.server.count(TOKEN_PATH)).toBe(3);
  });

  test.each([408, 520, 521, 522, 523, 524])("HTTP %i (a timeout, or Cloudflare's 52x) is retried", async (status) => {
    f.server.inject({ path: TOKEN_PATH, fault: { type: "respond", status, body: "" } });
    await getAccessToken({ ...f.org, ...f.at });
    expect(f.server.count(TOKEN_PATH)).toBe(2);
  });

  test.each([402, 405, 409, 410, 418, 422, 501, 505, 511, 525, 526])("HTTP %i is not retried", async (status) => {
    f.server.inject({ path: TOKEN_PATH, fault: { type: "respond", status, body: "" } });
    const error = await rejects(getAccessToken({ ...f.org, ...f.at }), "HTTP_ERROR");
    expect(error.status).toBe(status);
    expect(f.server.count(TOKEN_PATH)).toBe(1);
  });

  test("the default is 3 retries: at most 4 requests", async () => {
    f.server.inject({ path: TOKEN_PATH, times: 10, fault: { type: "respond", status: 503, body: "" } });
    await rejects(getAccessToken({ ...f.org, ...f.at }), "HTTP_ERROR");
    expect(f.server.count(TOKEN_PATH)).toBe(4);
  });

  test.each([400, 401, 403, 404])("HTTP %i is not retried", async (status) => {
    f.server.inject({ path: TOKEN_PATH, fault: { type: "respond", status, body: "Nope\n" } });
    const error = await rejects(getAccessToken({ ...f.org, ...f.at }), "HTTP_ERROR");
    expect(error.status).toBe(status);
    expect(f.server.count(TOKEN_PATH)).toBe(1);
  });

  test("a connection reset is a NETWORK_ERROR that is retried", async () => {
    f.server.inject({ path: TOKEN_PATH, fault: { type: "reset" } });
    await getAccessToken({ ...f.org, ...f.at });
    expect(f.server.count(TOKEN_PATH)).toBe(2);
    f.server.inject({ path: TOKEN_PATH, times: 2, fault: { type: "reset" } });
    const error = await rejects(getAccessToken({ ...f.org, ...f.at, retries: 1 }), "NETWORK_ERROR", {
      secret: f.org.clientSecret,
    });
    expect(error.message).toMatch(/Could not reach ItsYou.online/);
    expect(error.cause).toBeInstanceOf(Error);
  });

  test("a refused connection is a NETWORK_ERROR naming the server and what to check", async () => {
    const baseUrl = await closedPortUrl();
    const error = await rejects(getAccessToken({ ...f.org, baseUrl, retries: 0 }), "NETWORK_ERROR", {
      secret: f.org.clientSecret,
    });
    expect(error.message).toContain(baseUrl);
    expect(error.message).toMatch(/ECONNREFUSED/);
    expect(error.message).toMatch(/check the base URL/);
    expect(error.endpoint).toBe(TOKEN_PATH);
  });

  test("a Retry-After that does not fit in the time bound fails at once, saying when to call again", async () => {
    f.server.inject({ path: TOKEN_PATH, fault: { type: "respond", status: 503, headers: { "retry-after": "30" } } });
    const started = Date.now();
    const error = await rejects(getAccessToken({ ...f.org, ...f.at, retries: 1, timeout: 100 }), "HTTP_ERROR");
    expect(error.status).toBe(503);
    expect(error.message).toMatch(/HTTP 503 Service Unavailable/);
    expect(error.message).toMatch(
      /asked to be called again in 30 s \(at \d{4}-\d\d-\d\dT[\d:.]+Z\), which does not fit in this call's time bound of 400 ms/,
    );
    expect(new Date(error.message.match(/\(at ([^)]+)\)/)![1]).getTime()).toBeGreaterThanOrEqual(started + 30_000);
    expect(f.server.count(TOKEN_PATH)).toBe(1);
  });

  test("Retry-After as an HTTP date is honoured", async () => {
    const date = new Date(Date.now() + 1000).toUTCString();
    f.server.inject({ path: TOKEN_PATH, fault: { type: "respond", status: 503, headers: { "retry-after": date } } });
    await getAccessToken({ ...f.org, ...f.at });
    const [first, second] = f.server.requests;
    expect(first.path).toBe(TOKEN_PATH);
    expect(second.path).toBe(TOKEN_PATH);
  });
});

describe("timeouts and aborts", () => {
  test("headers slower than the timeout are a TIMEOUT, retried", async () => {
    f.server.inject({ path: TOKEN_PATH, fault: { type: "delay-headers", ms: 1000 } });
    await getAccessToken({ ...f.org, ...f.at, timeout: 200 });
    expect(f.server.count(TOKEN_PATH)).toBe(2);
    f.server.inject({ path: TOKEN_PATH, fault: { type: "delay-headers", ms: 1000 } });
    const error = await rejects(getAccessToken({ ...f.org, ...f.at, timeout: 200, retries: 0 }), "TIMEOUT", {
      secret: f.org.clientSecret,
    });
    expect(error.message).toMatch(/within 200 ms/);
  });

  test("a body slower than the timeout is a TIMEOUT too", async () => {
    f.server.inject({ path: TOKEN_PATH, fault: { type: "delay-body", ms: 1000 } });
    await rejects(getAccessToken({ ...f.org, ...f.at, timeout: 200, retries: 0 }), "TIMEOUT");
  });

  test("an aborted signal stops before any request", async () => {
    const error = await rejects(getAccessToken({ ...f.org, ...f.at, signal: AbortSignal.abort() }), "ABORTED");
    expect(error.endpoint).toBe(TOKEN_PATH);
    expect(f.server.count()).toBe(0);
  });

  test("aborting during a slow answer stops at once, without retrying", async () => {
    f.server.inject({ path: TOKEN_PATH, fault: { type: "delay-headers", ms: 5000 } });
    const controller = new AbortController();
    setTimeout(() => controller.abort(), 100);
    await rejects(getAccessToken({ ...f.org, ...f.at, signal: controller.signal }), "ABORTED");
    expect(f.server.count(TOKEN_PATH)).toBe(1);
  });

  test("aborting during the backoff wait stops at once", async () => {
    f.server.inject({ path: TOKEN_PATH, fault: { type: "respond", status: 503, headers: { "retry-after": "20" } } });
    const controller = new AbortController();
    const pending = getAccessToken({ ...f.org, ...f.at, signal: controller.signal });
    setTimeout(() => controller.abort(), 100);
    await rejects(pending, "ABORTED");
    expect(f.server.count(TOKEN_PATH)).toBe(1);
  });
});

describe("a time bound that no fetch can defeat", () => {
  afterEach(() => void vi.useRealTimers());
  const never = (): Promise<never> => new Promise(() => {});

  test("a fetch that never settles and ignores its signal ends exactly at the timeout", async () => {
    vi.useFakeTimers();
    let settled = false;
    const pending = getAccessToken({ ...f.org, ...f.at, timeout: 1000, retries: 0, fetch: never }).finally(
      () => (settled = true),
    );
    pending.catch(() => {});
    await vi.advanceTimersByTimeAsync(999);
    expect(settled).toBe(false);
    await vi.advanceTimersByTimeAsync(1);
    await rejects(pending, "TIMEOUT");
  });

  test("with retries, the worst case is (retries + 1) × timeout plus the backoff", async () => {
    vi.useFakeTimers();
    vi.spyOn(Math, "random").mockReturnValue(1); // the longest backoff: 200 + 400 ms
    let calls = 0;
    const stuck: FetchFunction = () => (calls++, never());
    let settled = false;
    const pending = getAccessToken({ ...f.org, ...f.at, timeout: 1000, retries: 2, fetch: stuck }).finally(
      () => (settled = true),
    );
    pending.catch(() => {});
    await vi.advanceTimersByTimeAsync(3 * 1000 + 200 + 400 - 1);
    expect(settled).toBe(false);
    await vi.advanceTimersByTimeAsync(1);
    const error = await rejects(pending, "TIMEOUT");
    expect(error.message).toMatch(/gave up after 3 attempts/);
    expect(calls).toBe(3);
    vi.restoreAllMocks();
  });

  test.each([
    [0, 1000, "1"],
    [1, 100, "30"],
    [3, 1000, "3"],
    [3, 10_000, "30"],
    [2, 500, new Date(Date.UTC(2030, 0, 1)).toUTCString()],
  ])(
    "retries %i, timeout %i ms, Retry-After %s on every answer: the call ends within (retries + 1) × timeout plus backoff",
    async (retries, timeout, retryAfter) => {
      vi.useFakeTimers({ now: Date.UTC(2029, 11, 31, 23, 59, 58) });
      vi.spyOn(Math, "random").mockReturnValue(1);
      // Each answer takes most of the timeout, then asks to be called again later.
      const slow503: FetchFunction = () =>
        new Promise((resolve) => {
          setTimeout(
            () => resolve(new Response("", { status: 503, headers: { "retry-after": retryAfter } })),
            timeout - 1,
          );
        });
      let backoff = 0;
      for (let attempt = 1; attempt <= retries; attempt++) backoff += Math.min(5000, 200 * 2 ** (attempt - 1));
      const bound = (retries + 1) * timeout + backoff;
      let settled = false;
      const pending = getAccessToken({ ...f.org, ...f.at, timeout, retries, fetch: slow503 }).finally(
        () => (settled = true),
      );
      pending.catch(() => {});
      await vi.advanceTimersByTimeAsync(bound);
      expect(settled).toBe(true);
      const error = await rejects(pending, "HTTP_ERROR");
      expect(error.status).toBe(503);
      vi.restoreAllMocks();
    },
  );

  /** The documented bound of a call: (retries + 1) × timeout plus the longest backoffs. */
  const boundOf = (retries: number, timeout: number): number => {
    let bound = (retries + 1) * timeout;
    for (let attempt = 1; attempt <= retries; attempt++) bound += Math.min(5000, 200 * 2 ** (attempt - 1));
    return bound;
  };
  /** Runs a call under fake timers and resolves to when it settled (ms after it started) and how. */
  async function timed(
    call: () => Promise<unknown>,
    limit: number,
  ): Promise<{ after: number; error: unknown }> {
    const start = Date.now();
    let after = Infinity;
    let error: unknown;
    void call().then(
      () => (after = Date.now() - start),
      (caught: unknown) => ((after = Date.now() - start), (error = caught)),
    );
    // Timers fire in order with the clock set to each one's time, and promises settle in between: `after` is exact.
    await vi.advanceTimersByTimeAsync(limit + 1000);
    return { after, error };
  }
  const reset = (): Promise<never> =>
    Promise.reject(
      new TypeError("fetch failed", { cause: Object.assign(new Error("read ECONNRESET"), { code: "ECONNRESET" }) }),
    );
  const silence = (): Promise<never> => new Promise(() => {});
  const busy = (status: number, retryAfter?: string): Promise<Response> =>
    Promise.resolve(
      new Response("", { status, headers: retryAfter === undefined ? {} : { "retry-after": retryAfter } }),
    );

  test.each([
    ["timeout 1000 ms, retries 3: a Retry-After that fits, then silence", 1000, 3, "2"],
    ["the defaults (10 s, 3 retries): Retry-After 31, then silence", 10_000, 3, "31"],
    ["timeout 10 s, retries 10: Retry-After 31, then silence", 10_000, 10, "31"],
  ])("%s: ends within the bound", async (_, timeout, retries, retryAfter) => {
    vi.useFakeTimers();
    vi.spyOn(Math, "random").mockReturnValue(1);
    let calls = 0;
    const script: FetchFunction = () => (calls++ === 0 ? busy(503, retryAfter) : silence());
    const bound = boundOf(retries, timeout);
    const { after, error } = await timed(
      () => getAccessToken({ ...f.org, ...f.at, timeout, retries, fetch: script }),
      bound,
    );
    expect(after).toBeLessThanOrEqual(bound);
    expect(error).toBeInstanceOf(ItsYouOnlineError);
    expect(calls).toBeGreaterThan(1); // the Retry-After was honoured, then the silence ran into the bound
    vi.restoreAllMocks();
  });

  test("property: whatever mix of 429/503 with Retry-After (seconds, dates; tiny, fitting, huge), resets and silence, a call ends within its bound and fails only with an ItsYouOnlineError", async () => {
    const retryAfter = fc.oneof(
      fc.constant(undefined),
      fc.integer({ min: 0, max: 3 }).map(String),
      fc.integer({ min: 4, max: 60 }).map(String),
      fc.constantFrom("99999999999999999999", "8640000000000", "-1", "1.5", "soon", ""),
      fc.integer({ min: -5, max: 60 }).map((seconds) => new Date(Date.now() + seconds * 1000).toUTCString()),
      fc.constant("Fri, 31 Dec 275759 23:59:59 GMT"),
    );
    const behaviour = fc.oneof(
      fc.record({ kind: fc.constant("busy" as const), status: fc.constantFrom(429, 503), retryAfter }),
      fc.constant({ kind: "reset" as const }),
      fc.constant({ kind: "silence" as const }),
    );
    await fc.assert(
      fc.asyncProperty(
        fc.array(behaviour, { minLength: 1, maxLength: 12 }),
        fc.integer({ min: 0, max: 5 }),
        fc.integer({ min: 50, max: 3000 }),
        async (script, retries, timeout) => {
          vi.useFakeTimers();
          try {
            let calls = 0;
            const scripted: FetchFunction = () => {
              const next = script[Math.min(calls++, script.length - 1)];
              return next.kind === "busy"
                ? busy(next.status, next.retryAfter)
                : next.kind === "reset"
                ? reset()
                : silence();
            };
            const bound = boundOf(retries, timeout);
            const { after, error } = await timed(
              () => getAccessToken({ ...f.org, ...f.at, timeout, retries, fetch: scripted }),
              bound,
            );
            expect(after).toBeLessThanOrEqual(bound + 5);
            expect(error).toBeInstanceOf(ItsYouOnlineError);
            expect(calls).toBeLessThanOrEqual(retries + 1);
          } finally {
            vi.useRealTimers();
          }
        },
      ),
      { numRuns: 150 },
    );
  });

  test("a caller's abort ends a fetch that ignores its signal at once", async () => {
    const controller = new AbortController();
    const pending = getAccessToken({ ...f.org, ...f.at, signal: controller.signal, fetch: never });
    controller.abort();
    await rejects(pending, "ABORTED");
  });

  test("a fetch that rejects after the deadline leaves no unhandled rejection", async () => {
    const unhandled: unknown[] = [];
    const onUnhandled = (reason: unknown): void => void unhandled.push(reason);
    process.on("unhandledRejection", onUnhandled);
    try {
      const late: FetchFunction = () => new Promise((_, reject) => setTimeout(() => reject(new Error("late")), 50));
      await rejects(getAccessToken({ ...f.org, ...f.at, timeout: 10, retries: 0, fetch: late }), "TIMEOUT");
      await new Promise((resolve) => setTimeout(resolve, 100));
      expect(unhandled).toEqual([]);
    } finally {
      process.off("unhandledRejection", onUnhandled);
    }
  });
});

describe("connections", () => {
  test("sequential calls on Node's fetch share one connection: getAccessToken() then getJwt(token), exchangeCode() then getJwt(token)", async () => {
    expect(await sequentialConnections(mod, f)).toEqual({ tokenThenJwt: 1, codeThenJwt: 1 });
  });
});

describe("secrets are redacted before a message is shortened", () => {
  /** getAccessToken() with `clientSecret`, on a fetch that fails with a TypeError whose message is `text`. */
  const failingWith = (clientSecret: string, text: string) =>
    getAccessToken({
      clientId: "acme",
      clientSecret,
      ...f.at,
      retries: 0,
      fetch: () => Promise.reject(new TypeError(text)),
    });

  test("a secret that crosses the 500-character cut leaves no prefix behind", async () => {
    const clientSecret = "s3cr3t-prefix-" + "x".repeat(40);
    for (let padding = 470; padding < 500; padding += 3) {
      const error = await rejects(failingWith(clientSecret, `${"p".repeat(padding)}${clientSecret}`), "FETCH_ERROR", {
        clientSecret,
      });
      expect(error.message).not.toMatch(/s3cr3t/);
      expect(String((error.cause as Error).message)).not.toMatch(/s3cr3t/);
    }
  });

  test.each([["a double space", "two  spaces-in-this-secret"], ["a no-break space", "no\u00a0break-space-secret"]])(
    "a secret with %s is redacted in the message and its cause, not normalised into it",
    async (_, clientSecret) => {
      const error = await rejects(failingWith(clientSecret, `bad ${clientSecret} here`), "FETCH_ERROR");
      for (const text of [error.message, (error.cause as Error).message]) {
        expect(text).toContain("bad [redacted] here");
        expect(text).not.toContain(clientSecret.replace(/\s+/g, " "));
      }
    },
  );
});

describe("origin pinning: requests go only to the base URL's origin", () => {
  test.each([
    "https://id.example.com//x",
    "https://id.example.com//",
    "https://id.example.com/\\x",
    "https://id.example.com/iyo//x",
    "http://127.0.0.1//attacker.example",
    "http://127.0.0.1/\\attacker.example",
  ])("%s is refused: its path would name another host if resolved as a reference", async (baseUrl) => {
    const spy = forbiddenFetch();
    const error = await rejects(
      getAccessToken({ clientId: "acme", clientSecret: "s3cret-value", baseUrl, fetch: spy }),
      "INVALID_ARGUMENT",
    );
    expect(error.message).toMatch(/empty segment|backslash/);
    expect(() => authorizeUrl({ clientId: "acme", redirectUri: "https://a.example/cb", state: "s", baseUrl })).toThrow(
      ItsYouOnlineError,
    );
    expect(spy.calls).toBe(0);
  });

  test("property: for every accepted baseUrl, every request and authorizeUrl() have exactly its origin", async () => {
    const segment = fc.constantFrom(
      "",
      "x",
      ".",
      "..",
      "%2e",
      "%2f",
      "%5c",
      "\\",
      "@",
      "evil.example",
      "v1",
      ":443",
      "a%40b",
    );
    const baseUrl = fc.tuple(
      fc.constantFrom(
        "https://id.example.com",
        "http://127.0.0.1:8080",
        "http://localhost",
        "https://[::1]",
        "http://[::1]:1",
      ),
      fc.array(segment, { maxLength: 5 }),
      fc.constantFrom("/", "\\", "//", "/./"),
    ).map(([origin, segments, separator]) => origin + separator + segments.join(separator));
    let acceptedRuns = 0;
    await fc.assert(
      fc.asyncProperty(baseUrl, async (base) => {
        let accepted: URL;
        try {
          accepted = resolveBaseUrl(base);
        } catch (error) {
          expect((error as ItsYouOnlineError).code).toBe("INVALID_ARGUMENT");
          return;
        }
        acceptedRuns++;
        expect(accepted.origin).toBe(new URL(base).origin);
        const seen: string[] = [];
        const recording: FetchFunction = (input) => {
          seen.push(input);
          return Promise.resolve(new Response("Bad Request\n", { status: 400 }));
        };
        const options = { baseUrl: base, fetch: recording, retries: 0 };
        await getAccessToken({ clientId: "acme", clientSecret: "s3cret", ...options }).catch(() => {});
        await getJwt("token", options).catch(() => {});
        await getJwt({ clientId: "acme", clientSecret: "s3cret" }, options).catch(() => {});
        await refreshJwt(REFRESHABLE_JWT, options).catch(() => {});
        await exchangeCode({
          clientId: "acme",
          clientSecret: "s3cret",
          code: "c",
          redirectUri: "https://a.example/cb",
          ...options,
        }).catch(() => {});
        seen.push(
          authorizeUrl({ clientId: "acme", redirectUri: "https://a.example/cb", state: "s", baseUrl: base }).href,
        );
        expect(seen).toHaveLength(6);
        for (const url of seen) expect(new URL(url).origin).toBe(accepted.origin);
      }),
      { numRuns: 500 },
    );
    // The property says something only if base URLs were accepted, not just refused.
    expect(acceptedRuns).toBeGreaterThan(100);
  });
});

describe("answers that are not ItsYou.online's", () => {
  test("a 301 is not followed: HTTP_ERROR 301 saying to check baseUrl", async () => {
    f.server.inject({
      path: TOKEN_PATH,
      fault: { type: "respond", status: 301, headers: { location: "https://evil.example/" } },
    });
    const error = await rejects(getAccessToken({ ...f.org, ...f.at }), "HTTP_ERROR");
    expect(error.status).toBe(301);
    expect(error.message).toMatch(/never followed/);
    expect(f.server.count()).toBe(1);
  });

  test("a body over 1 MiB is INVALID_RESPONSE, declared or streamed", async () => {
    f.server.inject({ path: TOKEN_PATH, fault: { type: "respond", status: 200, size: 10 * 1024 * 1024 } });
    const error = await rejects(getAccessToken({ ...f.org, ...f.at }), "INVALID_RESPONSE");
    expect(error.message).toMatch(/larger than 1048576 bytes/);
    const chunked: typeof fetch = async (input, init) => {
      const response = await fetch(input, init);
      return new Response(response.body, { status: 200 }); // no content-length: the cap must hold while reading
    };
    f.server.inject({ path: TOKEN_PATH, fault: { type: "respond", status: 200, size: 3 * 1024 * 1024 } });
    await rejects(getAccessToken({ ...f.org, ...f.at, fetch: chunked }), "INVALID_RESPONSE");
  });

  test.each([
    ["an HTML page", "<html><body>Welcome</body></html>", /expected JSON/],
    ["truncated JSON", '{"access_token":"abc', /expected JSON/],
    ["JSON without access_token", '{"token_type":"bearer","expires_in":1}', /access_token is missing/],
    ["a wrong token_type", '{"access_token":"abc","token_type":"mac","expires_in":1}', /token_type is not bearer/],
    ["a JSON array", "[]", /JSON object/],
  ])("a 200 with %s is INVALID_RESPONSE", async (_, body, message) => {
    f.server.inject({ path: TOKEN_PATH, fault: { type: "respond", status: 200, body } });
    const error = await rejects(getAccessToken({ ...f.org, ...f.at }), "INVALID_RESPONSE");
    expect(error.message).toMatch(message);
    expect(f.server.count()).toBe(1);
  });

  test("a JWT endpoint answering something that is not a JWT is INVALID_RESPONSE", async () => {
    f.server.inject({
      path: TOKEN_PATH,
      fault: { type: "respond", status: 200, body: "not-a-jwt", headers: { "content-type": "application/jwt" } },
    });
    await rejects(getJwt(f.org, f.at), "INVALID_RESPONSE");
    f.server.inject({
      path: TOKEN_PATH,
      fault: { type: "respond", status: 200, body: "{}", headers: { "content-type": "application/json" } },
    });
    await rejects(getJwt(f.org, f.at), "INVALID_RESPONSE");
  });
});

describe("bad input gets INVALID_ARGUMENT and sends nothing", () => {
  const good = { clientId: "acme", clientSecret: "s3cret-value-0123456789" };
  /** An unsigned JWT with a refresh_token claim: refreshJwt() gets as far as its options. */
  const b64url = (text: string): string => btoa(text).replace(/=+$/, "").replace(/\+/g, "-").replace(/\//g, "_");
  const REFRESHABLE = `${b64url('{"alg":"ES384"}')}.${b64url('{"refresh_token":"r","exp":1}')}.AAAA`;
  const cases: [string, () => Promise<unknown>][] = [
    ["a missing clientId", () => getAccessToken({ clientSecret: good.clientSecret } as never)],
    ["an empty clientSecret", () => getAccessToken({ ...good, clientSecret: "" })],
    ["a whitespace-only clientSecret", () => getAccessToken({ ...good, clientSecret: "  \t " })],
    ["a clientSecret with a newline", () => getAccessToken({ ...good, clientSecret: `${good.clientSecret}\n` })],
    ["a clientSecret with a control character", () => getAccessToken({ ...good, clientSecret: "ab\u0000cd" })],
    ["a very long clientSecret", () => getAccessToken({ ...good, clientSecret: "x".repeat(5000) })],
    ["a numeric clientSecret", () => getAccessToken({ ...good, clientSecret: 42 as never })],
    ["options that are not an object", () => getAccessToken(null as never)],
    ["http: to another host", () => getAccessToken({ ...good, baseUrl: "http://itsyou.online" })],
    ["a javascript: baseUrl", () => getAccessToken({ ...good, baseUrl: "javascript:alert(1)" })],
    ["a baseUrl with credentials", () => getAccessToken({ ...good, baseUrl: "https://user:pw@itsyou.online" })],
    ["a baseUrl with a query", () => getAccessToken({ ...good, baseUrl: "https://itsyou.online/?x=1" })],
    ["a baseUrl with a fragment", () => getAccessToken({ ...good, baseUrl: "https://itsyou.online/#x" })],
    ["a relative baseUrl", () => getAccessToken({ ...good, baseUrl: "/v1" })],
    ["a zero timeout", () => getAccessToken({ ...good, timeout: 0 })],
    ["a fractional retries", () => getAccessToken({ ...good, retries: 1.5 })],
    ["negative retries", () => getAccessToken({ ...good, retries: -1 })],
    ["too many retries", () => getAccessToken({ ...good, retries: 11 })],
    ["a signal that is not one", () => getAccessToken({ ...good, signal: {} as never })],
    ["a userAgent with a newline", () => getAccessToken({ ...good, userAgent: "a\nb" })],
    ["a negative validity", () => getJwt(good, { validity: -5 })],
    ["a zero validity", () => getJwt(good, { validity: 0 })],
    ["a non-numeric validity", () => getJwt(good, { validity: "60" as never })],
    ["a huge validity", () => getJwt(good, { validity: 86_401 })],
    ["a scope entry with a comma", () => getJwt(good, { scope: ["a,b"] })],
    ["a scope entry with a newline", () => getJwt(good, { scope: "a\nb" })],
    ["a scope that is a number", () => getJwt(good, { scope: 5 as never })],
    ["a refreshable that is a string", () => getJwt(good, { refreshable: "yes" as never })],
    ["an empty access token", () => getJwt("", {})],
    ["an access token that is not a string", () => getJwt(12 as never, {})],
    ["a very long clientId", () => getAccessToken({ ...good, clientId: "a".repeat(5000) })],
    ["an ftp: baseUrl", () => getAccessToken({ ...good, baseUrl: "ftp://itsyou.online" })],
    ["a code with a newline", () => exchangeCode({ ...good, code: "abc\ndef", redirectUri: "https://a.example/cb" })],
    ["a whitespace-only code", () => exchangeCode({ ...good, code: "   ", redirectUri: "https://a.example/cb" })],
    ["a relative redirectUri", () => exchangeCode({ ...good, code: "abc", redirectUri: "/cb" })],
    ["a redirectUri with %", () => exchangeCode({ ...good, code: "abc", redirectUri: "https://a.example/c%20b" })],
    [
      "a state with a control character",
      () => exchangeCode({ ...good, code: "abc", redirectUri: "https://a.example/cb", state: "a\u0001" }),
    ],
    [
      "authorizeUrl without state",
      async () => authorizeUrl({ clientId: "acme", redirectUri: "https://a.example/cb" } as never),
    ],
    [
      "authorizeUrl with an empty clientId",
      async () => authorizeUrl({ clientId: "", redirectUri: "https://a.example/cb", state: "s" }),
    ],
    [
      "authorizeUrl with a scope holding a newline",
      async () => authorizeUrl({ clientId: "a", redirectUri: "https://a.example/cb", state: "s", scope: ["a\nb"] }),
    ],
    [
      "parseCallback with an empty expected state",
      async () => mod.parseCallback("https://a.example/cb?code=c&state=", ""),
    ],
    [
      "parseCallback with a 100 kB URL",
      async () => mod.parseCallback(`https://a.example/cb?code=${"c".repeat(100_000)}`, "s"),
    ],
    ["refreshJwt with a huge validity", () => refreshJwt(REFRESHABLE, { validity: 1e9 })],
    ["refreshJwt with options that are not an object", () => refreshJwt(REFRESHABLE, "x" as never)],
    ["getJwt with options that are not an object", () => getJwt(good, [] as never)],
    ["getJwt from an object that is neither", () => getJwt({} as never)],
    ["createTokenSource with a validity of zero", async () => createTokenSource({ ...good, validity: 0 })],
    ["verifyJwt with a key that is a number", () => verifyJwt(REFRESHABLE, { publicKey: 5 as never })],
  ];

  test.each(cases)("%s", async (_, call) => {
    const spy = forbiddenFetch();
    // Each call gets the spy through a patched global: nothing may reach it.
    const original = globalThis.fetch;
    globalThis.fetch = spy;
    try {
      const error = await call().then(() => undefined, (caught: unknown) => caught);
      expect(error).toBeInstanceOf(ItsYouOnlineError);
      expect((error as ItsYouOnlineError).code, (error as Error).message).toBe("INVALID_ARGUMENT");
      expect((error as ItsYouOnlineError).message).not.toContain(good.clientSecret);
    } finally {
      globalThis.fetch = original;
    }
    expect(spy.calls).toBe(0);
  });

  test("a JWT that is not one, to refresh: JWT_INVALID, nothing sent", async () => {
    const spy = forbiddenFetch();
    await rejects(refreshJwt("abc", { fetch: spy }), "JWT_INVALID");
    expect(spy.calls).toBe(0);
  });
});

describe("every number the server sends is bounded before use", () => {
  const extreme = fc.oneof(
    fc.integer(),
    fc.double(),
    fc.constantFrom(
      0,
      -1,
      1e308,
      -1e308,
      Number.MAX_SAFE_INTEGER,
      Number.MAX_SAFE_INTEGER + 2,
      8_640_000_000_000,
      8_640_000_000_001,
      1e21,
      0.5,
    ),
    fc.constantFrom("1", "", "1e400", null, true, [], {}),
  );
  const httpDate = fc.oneof(
    fc.constant(undefined),
    fc.date({ noInvalidDate: true }).map((date) => date.toUTCString()),
    fc.constantFrom("Fri, 31 Dec 275760 23:59:59 GMT", "Thu, 01 Jan 1970 00:00:00 GMT", "garbage"),
  );
  /** A fetch that answers every request with this body, content type and Date header. */
  const answering = (body: string, contentType: string, date?: string): FetchFunction => () =>
    Promise.resolve(
      new Response(body, { status: 200, headers: { "content-type": contentType, ...(date ? { date } : {}) } }),
    );
  const unsigned = (claims: Record<string, unknown>): string =>
    `${b64url('{"alg":"ES384","typ":"JWT"}')}.${b64url(JSON.stringify(claims))}.AAAA`;
  /** Resolves, or rejects with an ItsYouOnlineError: never a RangeError, TypeError or a result holding NaN. */
  async function bounded(call: () => Promise<unknown>): Promise<void> {
    const outcome = await call().then((value) => ({ value }), (error: unknown) => ({ error }));
    if ("error" in outcome) {
      expect(outcome.error).toBeInstanceOf(ItsYouOnlineError);
      return;
    }
    JSON.stringify(outcome.value, (_, value) => {
      if (typeof value === "number") expect(Number.isFinite(value)).toBe(true);
      if (value instanceof Date || (typeof value === "string" && /^\d{4}-\d\d-\d\dT/.test(value))) {
        expect(Number.isNaN(new Date(value).getTime())).toBe(false);
      }
      return value;
    });
  }

  test("property: expires_in and the Date header, through getAccessToken() and the token source", async () => {
    await fc.assert(
      fc.asyncProperty(extreme, httpDate, async (expiresIn, date) => {
        const body = JSON.stringify({ access_token: "t".repeat(28), token_type: "bearer", expires_in: expiresIn });
        const fetch = answering(body, "application/json", date);
        await bounded(() => getAccessToken({ ...f.org, ...f.at, retries: 0, fetch }));
        const tokens = createTokenSource({ ...f.org, ...f.at, retries: 0, fetch });
        await bounded(() => tokens.accessToken());
        await bounded(() => tokens.accessToken());
      }),
      { numRuns: 300 },
    );
  });

  test("property: exp, iat and nbf, through getJwt(), refreshJwt(), deriveJwt(), the token source and verifyJwt()", async () => {
    await fc.assert(
      fc.asyncProperty(extreme, extreme, extreme, httpDate, async (exp, iat, nbf, date) => {
        const claims = { iss: "itsyouonline", azp: "acme", exp, iat, nbf, username: "alice", refresh_token: "r" };
        const fetch = answering(unsigned(claims), "application/jwt", date);
        await bounded(() => getJwt({ ...f.org }, { ...f.at, retries: 0, fetch }));
        await bounded(() => refreshJwt(unsigned(claims), { ...f.at, retries: 0, fetch }));
        await bounded(() => mod.deriveJwt(unsigned(claims), { ...f.at, retries: 0, fetch }));
        const tokens = createTokenSource({ ...f.org, ...f.at, retries: 0, fetch });
        await bounded(() => tokens.jwt());
        await bounded(() => tokens.jwt());
        await bounded(() => verifyJwt(unsigned(claims), { publicKey: f.server.publicKey }));
      }),
      { numRuns: 300 },
    );
  });

  test("a Retry-After of 20 digits fails at once with the status, saying the server asked for more than a year", async () => {
    const huge: FetchFunction = () =>
      Promise.resolve(new Response("", { status: 503, headers: { "retry-after": "99999999999999999999" } }));
    const error = await rejects(getAccessToken({ ...f.org, ...f.at, fetch: huge }), "HTTP_ERROR");
    expect(error.status).toBe(503);
    expect(error.message).toMatch(/asked to be called again in more than a year, which does not fit/);
  });
});
