/** createTokenSource(): caching, renewal, single flight, refresh and fallback, against the local server. */
import { afterEach, describe, expect, test, vi } from "vitest";
import { createTokenSource, decodeJwt } from "../../mod.ts";
import type { TokenSourceOptions } from "../../mod.ts";
import { rejects, useServerFixture } from "../support/expect.ts";

const f = useServerFixture();

const TOKEN = "/v1/oauth/access_token";
const REFRESH = "/v1/oauth/jwt/refresh";

/**
 * `fetch` (the runtime's, or `inner`) with the answers counted once their bodies are read; `settled(n)` resolves
 * once n answers have been delivered and the source has done all it does with them (renewals run in the
 * background, so a test waits for them before it looks at what the source cached).
 */
function tracked(inner: typeof fetch = fetch): { fetch: typeof fetch; settled(answers: number): Promise<void> } {
  let delivered = 0;
  return {
    fetch: async (input, init) => {
      try {
        const response = await inner(input, init);
        return new Response(await response.arrayBuffer(), response);
      } finally {
        delivered++;
      }
    },
    async settled(answers) {
      await vi.waitFor(() => expect(delivered).toBe(answers));
      // What is left is promise reactions and one setImmediate turn (the connection going back to its pool).
      for (let turn = 0; turn < 3; turn++) await new Promise((resolve) => setImmediate(resolve));
    },
  };
}

/** A source on a clock the test moves; it starts at the server's time. */
function source(
  options: Partial<TokenSourceOptions> = {},
): {
  tokens: ReturnType<typeof createTokenSource>;
  clock: { ms: number };
  settled(answers: number): Promise<void>;
} {
  const clock = { ms: f.server.now() };
  const { fetch, settled } = tracked(options.fetch as typeof globalThis.fetch | undefined);
  const tokens = createTokenSource({ ...f.org, ...f.at, now: () => clock.ms, ...options, fetch });
  return { tokens, clock, settled };
}

/** The next jwt() still hands out `first` (renewing behind the caller); once the renewal has answered, a new JWT. */
async function renewsBehind(
  { tokens, settled }: { tokens: ReturnType<typeof createTokenSource>; settled(answers: number): Promise<void> },
  first: string,
): Promise<string> {
  expect(await tokens.jwt()).toBe(first);
  await settled(2);
  const next = await tokens.jwt();
  expect(next).not.toBe(first);
  return next;
}

describe("createTokenSource().jwt()", () => {
  test("fetches once in one round trip, then serves the cache", async () => {
    const { tokens } = source({ audience: "deploy", validity: 600 });
    const first = await tokens.jwt();
    expect(await tokens.jwt()).toBe(first);
    expect(await tokens.jwt()).toBe(first);
    expect(f.server.requests.map((request) => request.path)).toEqual([TOKEN]);
    expect(decodeJwt(first)).toMatchObject({ aud: ["deploy"], globalid: "acme" });
  });

  test("renews when fewer than refreshBefore seconds remain, to the second of the server's Date header", async () => {
    const { tokens, clock, settled } = source({ validity: 600, refreshBefore: 60 });
    const first = await tokens.jwt();
    const exp = decodeJwt(first).exp! * 1000;
    clock.ms = exp - 62_000; // a Date header counts whole seconds: up to one second early
    expect(await tokens.jwt()).toBe(first);
    expect(f.server.count()).toBe(1);
    clock.ms = exp - 60_000;
    f.server.advanceClock(1); // a new exp, so the renewed JWT differs
    await renewsBehind({ tokens, settled }, first); // still valid: handed out at once, renewed behind the caller
    expect(f.server.count()).toBe(2);
  });

  test.each([1, 10, 100, 1000])("%i concurrent calls on a cold source make one request", async (callers) => {
    const { tokens } = source();
    const results = await Promise.all(Array.from({ length: callers }, () => tokens.jwt()));
    expect(new Set(results).size).toBe(1);
    expect(f.server.count()).toBe(1);
  });

  test("a refreshable JWT is renewed through /v1/oauth/jwt/refresh, keeping its refresh_token", async () => {
    const { tokens, clock } = source({ refreshable: true, validity: 600 });
    const first = await tokens.jwt();
    clock.ms = decodeJwt(first).exp! * 1000;
    f.server.advanceClock(1);
    const second = await tokens.jwt();
    expect(f.server.requests.map((request) => request.path)).toEqual([TOKEN, REFRESH]);
    expect(decodeJwt(second).refresh_token).toBe(decodeJwt(first).refresh_token);
  });

  test("when the refresh record is gone (401) it falls back to the credentials", async () => {
    const { tokens, clock } = source({ refreshable: true, validity: 600 });
    const first = await tokens.jwt();
    clock.ms += 40 * 86_400_000;
    f.server.advanceClock(40 * 86_400); // 30 days unused: the server forgot the refresh record
    const second = await tokens.jwt();
    expect(f.server.requests.map((request) => request.path)).toEqual([TOKEN, REFRESH, TOKEN]);
    expect(decodeJwt(second).refresh_token).not.toBe(decodeJwt(first).refresh_token);
  });

  test("a refresh that fails otherwise is reported, not papered over", async () => {
    const { tokens, clock } = source({ refreshable: true, validity: 600, retries: 0 });
    clock.ms = decodeJwt(await tokens.jwt()).exp! * 1000;
    f.server.inject({ path: REFRESH, fault: { type: "respond", status: 500 } });
    await rejects(tokens.jwt(), "HTTP_ERROR");
    expect(f.server.count(TOKEN)).toBe(1);
  });

  test("a failure: every waiting caller gets it; within the backoff a call gets it at once; after it, a call tries again", async () => {
    const { tokens, clock } = source();
    f.server.inject({ path: TOKEN, fault: { type: "respond", status: 400, body: "Bad Request\n" } });
    const failures = await Promise.allSettled([tokens.jwt(), tokens.jwt(), tokens.jwt()]);
    expect(failures.map((result) => result.status)).toEqual(["rejected", "rejected", "rejected"]);
    expect(f.server.count()).toBe(1);
    const paced = await rejects(tokens.jwt(), "HTTP_ERROR");
    expect(paced.status).toBe(400);
    expect(paced.message).toMatch(/refused the client credentials.* tries again from \d{4}-.*Z on/);
    expect(f.server.count()).toBe(1);
    clock.ms += 5_000; // a refusal's first step: 2.5 to 5 s
    await tokens.jwt();
    expect(f.server.count()).toBe(2);
  });

  test("invalidate() drops the cache, so the next call fetches anew", async () => {
    const { tokens } = source();
    await tokens.jwt();
    await tokens.accessToken();
    tokens.invalidate();
    await tokens.jwt();
    await tokens.accessToken();
    expect(f.server.count()).toBe(4);
  });

  test("a request in flight during invalidate() is not cached", async () => {
    const { tokens } = source();
    f.server.inject({ path: TOKEN, fault: { type: "delay-headers", ms: 200 } });
    const inFlight = tokens.jwt();
    tokens.invalidate();
    await inFlight;
    await tokens.jwt();
    expect(f.server.count()).toBe(2);
  });
});

describe("createTokenSource() times the JWT by the server's clock", () => {
  test.each([["5 minutes fast", 300_000], ["5 minutes slow", -300_000]])(
    "a local clock %s neither refetches early nor serves a JWT past its exp",
    async (_, skew) => {
      const clock = { ms: f.server.now() + skew };
      const { fetch, settled } = tracked();
      const tokens = createTokenSource({
        ...f.org,
        ...f.at,
        validity: 120,
        refreshBefore: 30,
        now: () => clock.ms,
        fetch,
      });
      const first = await tokens.jwt();
      for (let i = 0; i < 9; i++) expect(await tokens.jwt()).toBe(first);
      expect(f.server.count()).toBe(1);
      // 91 s later by both clocks: 29 s left, fewer than refreshBefore.
      clock.ms += 91_000;
      f.server.advanceClock(91);
      const second = await renewsBehind({ tokens, settled }, first);
      expect(f.server.count()).toBe(2);
      expect(decodeJwt(second).exp! * 1000).toBeGreaterThan(f.server.now());
    },
  );

  test("without a Date header it falls back to the local clock", async () => {
    const noDate: typeof fetch = async (input, init) => {
      const response = await fetch(input, init);
      const headers = new Headers(response.headers);
      headers.delete("date");
      return new Response(response.body, { status: response.status, headers });
    };
    const { tokens, clock, settled } = source({ validity: 600, refreshBefore: 60, fetch: noDate });
    const first = await tokens.jwt();
    const exp = decodeJwt(first).exp! * 1000;
    clock.ms = exp - 60_000 - 1;
    expect(await tokens.jwt()).toBe(first);
    clock.ms = exp - 60_000;
    f.server.advanceClock(1);
    await renewsBehind({ tokens, settled }, first);
  });

  /** The runtime's fetch, with the answer's Date header replaced by `date(serverNow)`. */
  const withDate = (date: (serverNow: number) => string): typeof fetch => async (input, init) => {
    const response = await fetch(input, init);
    const headers = new Headers(response.headers);
    headers.set("date", date(f.server.now()));
    return new Response(response.body, { status: response.status, headers });
  };

  test.each([
    ["a day behind", (now: number) => new Date(now - 86_400_000).toUTCString()],
    ["in 1970", () => new Date(0).toUTCString()],
  ])(
    "a Date header %s is not believed: the JWT is renewed by the local clock, never cached past its validity",
    async (_, date) => {
      const { tokens, clock, settled } = source({ validity: 300, refreshBefore: 60, fetch: withDate(date) });
      const first = await tokens.jwt();
      clock.ms += 239_000; // 61 s left
      expect(await tokens.jwt()).toBe(first);
      clock.ms += 1000; // 60 s left
      f.server.advanceClock(240);
      await renewsBehind({ tokens, settled }, first);
      expect(f.server.count()).toBe(2);
    },
  );

  test("a Date header an hour ahead is not believed: the JWT is cached, not fetched on every call", async () => {
    const { tokens, clock } = source({
      validity: 300,
      refreshBefore: 60,
      fetch: withDate((now) => new Date(now + 3_600_000).toUTCString()),
    });
    const first = await tokens.jwt();
    for (let i = 0; i < 5; i++) expect(await tokens.jwt()).toBe(first);
    clock.ms += 239_000;
    expect(await tokens.jwt()).toBe(first);
    expect(f.server.count()).toBe(1);
  });

  test("refreshBefore is kept when the JWT lives longer than it: validity 100, refreshBefore 60 renews with 60 s left", async () => {
    const { tokens, clock, settled } = source({ validity: 100, refreshBefore: 60 });
    const first = await tokens.jwt();
    const exp = decodeJwt(first).exp! * 1000;
    // 62 s left, not 61: `exp` and `Date` are whole seconds read at two moments of the request, so the life the
    // source computes can be a second short of `exp` (capped at the 100 s asked for), which renews a second early.
    clock.ms = exp - 62_000;
    expect(await tokens.jwt()).toBe(first);
    clock.ms = exp - 59_000; // 59 s left: fewer than refreshBefore, so renewed (behind this caller)
    f.server.advanceClock(41);
    await renewsBehind({ tokens, settled }, first);
    expect(f.server.count()).toBe(2);
  });

  test("a refreshBefore longer than the JWT's life renews at half-life, not on every call", async () => {
    const { tokens, clock, settled } = source({ refreshBefore: 200_000 }); // no validity: about 24 hours of life
    const first = await tokens.jwt();
    const life = decodeJwt(first).exp! * 1000 - clock.ms;
    for (let i = 0; i < 9; i++) expect(await tokens.jwt()).toBe(first);
    expect(f.server.count()).toBe(1);
    clock.ms += life / 2 - 2000;
    expect(await tokens.jwt()).toBe(first);
    clock.ms += 2000;
    f.server.advanceClock(1);
    await renewsBehind({ tokens, settled }, first);
    expect(f.server.count()).toBe(2);
  });
});

describe("createTokenSource() when a renewal fails", () => {
  const ALWAYS = 100;

  test("jwt(): the cached JWT is handed out until it expires, renewals back off, then it rejects, then it recovers", async () => {
    const { tokens, clock, settled } = source({ validity: 600, refreshBefore: 60, retries: 0 });
    const first = await tokens.jwt();
    const exp = decodeJwt(first).exp! * 1000;
    f.server.inject({ path: TOKEN, times: ALWAYS, fault: { type: "respond", status: 503 } });
    clock.ms = exp - 59_000;
    expect(await tokens.jwt()).toBe(first); // the JWT has 59 s left: handed out, renewed behind the caller
    await settled(2); // the renewal failed
    expect(f.server.count()).toBe(2);
    for (let i = 0; i < 5; i++) expect(await tokens.jwt()).toBe(first);
    expect(f.server.count()).toBe(2); // no new attempt within the backoff (1 s)
    clock.ms += 1000;
    expect(await tokens.jwt()).toBe(first);
    await settled(3);
    expect(f.server.count()).toBe(3);
    clock.ms += 1000; // the backoff doubled: 2 s
    expect(await tokens.jwt()).toBe(first);
    await new Promise((resolve) => setImmediate(resolve));
    expect(f.server.count()).toBe(3);
    clock.ms = exp; // expired, long after the backoff: a renewal, and with nothing valid left its failure is reported
    await rejects(tokens.jwt(), "HTTP_ERROR");
    expect(f.server.count()).toBe(4);
    const paced = await rejects(tokens.jwt(), "HTTP_ERROR"); // within the backoff: at once, nothing sent
    expect(paced.message).toMatch(/after 3 failed renewals the token source tries again from/);
    expect(f.server.count()).toBe(4);
    clock.ms += 4000; // past the third step (2 to 4 s)
    await rejects(tokens.jwt(), "HTTP_ERROR");
    expect(f.server.count()).toBe(5);
    f.server.reset();
    f.server.advanceClock(600);
    clock.ms += 8000; // past the fourth step (4 to 8 s): the server is back, and the next call finds it
    const second = await tokens.jwt();
    expect(second).not.toBe(first);
  });

  test("jwt(): callers during a renewal that fails get the cached JWT", async () => {
    const { tokens, clock, settled } = source({ validity: 600, refreshBefore: 60, retries: 0 });
    const first = await tokens.jwt();
    clock.ms = decodeJwt(first).exp! * 1000 - 30_000;
    f.server.inject({ path: TOKEN, fault: { type: "respond", status: 500 } });
    const results = await Promise.all(Array.from({ length: 10 }, () => tokens.jwt()));
    expect(results.every((jwt) => jwt === first)).toBe(true);
    await settled(2);
    expect(f.server.count()).toBe(2);
  });

  test("accessToken(): the cached token is handed out until it expires, then the failure is reported", async () => {
    const { tokens, clock, settled } = source({ refreshBefore: 120, retries: 0 });
    const first = await tokens.accessToken();
    f.server.inject({ path: TOKEN, times: ALWAYS, fault: { type: "reset" } });
    clock.ms = first.expiresAt.getTime() - 100_000;
    expect((await tokens.accessToken()).accessToken).toBe(first.accessToken);
    await settled(2);
    expect((await tokens.accessToken()).accessToken).toBe(first.accessToken);
    expect(f.server.count(TOKEN)).toBe(2);
    clock.ms = first.expiresAt.getTime();
    await rejects(tokens.accessToken(), "NETWORK_ERROR");
  });
});

describe("createTokenSource() never blocks a caller on a renewal while a valid JWT is cached", () => {
  /** A fetch whose answers wait for `release()` once `hold()` was called (the runtime's fetch otherwise). */
  function gated(): { fetch: typeof fetch; hold(): void; release(): void; held(): number } {
    let gate: Promise<void> | undefined;
    let open = (): void => {};
    let waiting = 0;
    return {
      fetch: async (input, init) => {
        const response = await fetch(input, init);
        if (gate) {
          waiting++;
          await gate;
        }
        return response;
      },
      hold: () => void (gate = new Promise((resolve) => (open = resolve))),
      release: () => {
        gate = undefined;
        open();
      },
      held: () => waiting,
    };
  }

  test("1000 concurrent callers during a slow renewal get the cached JWT at once; one request renews it", async () => {
    const gate = gated();
    const { tokens, clock, settled } = source({ validity: 600, refreshBefore: 60, fetch: gate.fetch });
    const first = await tokens.jwt();
    clock.ms = decodeJwt(first).exp! * 1000 - 30_000;
    gate.hold();
    const results = await Promise.all(Array.from({ length: 1000 }, () => tokens.jwt()));
    expect(new Set(results)).toEqual(new Set([first]));
    await vi.waitFor(() => expect(gate.held()).toBe(1)); // the renewal is answered, and held back
    expect(f.server.count()).toBe(2);
    f.server.advanceClock(1);
    gate.release();
    await settled(2);
    expect(await tokens.jwt()).not.toBe(first);
    expect(f.server.count()).toBe(2);
  });

  test("a renewal that outlasts refreshBefore: callers get the cached JWT until it expires, then wait for the renewal", async () => {
    const gate = gated();
    const { tokens, clock, settled } = source({ validity: 600, refreshBefore: 60, fetch: gate.fetch });
    const first = await tokens.jwt();
    const exp = decodeJwt(first).exp! * 1000;
    clock.ms = exp - 60_000;
    gate.hold();
    expect(await tokens.jwt()).toBe(first); // starts the renewal
    await vi.waitFor(() => expect(gate.held()).toBe(1));
    clock.ms = exp - 2000; // the renewal has taken all of refreshBefore but the JWT's last (whole) second or two
    expect(await tokens.jwt()).toBe(first);
    clock.ms = exp; // now nothing valid is cached: this caller waits for the renewal in flight
    let waited: string | undefined;
    const waiting = tokens.jwt().then((jwt) => (waited = jwt));
    await new Promise((resolve) => setImmediate(resolve));
    expect(waited).toBeUndefined();
    f.server.advanceClock(1);
    gate.release();
    expect(await waiting).not.toBe(first);
    await settled(2);
    expect(f.server.count()).toBe(2);
  });

  test("accessToken(): a slow renewal does not hold up callers either", async () => {
    const gate = gated();
    const { tokens, clock, settled } = source({ refreshBefore: 120, fetch: gate.fetch });
    const first = await tokens.accessToken();
    clock.ms = first.expiresAt.getTime() - 60_000;
    gate.hold();
    const results = await Promise.all(Array.from({ length: 100 }, () => tokens.accessToken()));
    expect(results.every((token) => token.accessToken === first.accessToken)).toBe(true);
    gate.release();
    await settled(2);
    expect((await tokens.accessToken()).accessToken).not.toBe(first.accessToken);
  });
});

describe("createTokenSource() times renewals on a monotonic clock", () => {
  afterEach(() => void vi.useRealTimers());

  test.each([["forward", 7_200_000], ["back", -7_200_000]])(
    "a wall-clock step of two hours %s neither renews early nor serves an expired JWT",
    async (_, step) => {
      vi.useFakeTimers({ toFake: ["Date", "performance"] });
      const { fetch, settled } = tracked();
      const tokens = createTokenSource({ ...f.org, ...f.at, validity: 600, refreshBefore: 60, fetch });
      const first = await tokens.jwt();
      vi.setSystemTime(Date.now() + step); // the wall clock jumps; the monotonic clock does not
      expect(await tokens.jwt()).toBe(first);
      expect(f.server.count()).toBe(1);
      vi.advanceTimersByTime(545_000); // 55 s left by the monotonic clock
      await renewsBehind({ tokens, settled }, first);
      expect(f.server.count()).toBe(2);
    },
  );
});

describe("createTokenSource().accessToken()", () => {
  test("caches until refreshBefore seconds before expiresAt, on the source's clock", async () => {
    const { tokens, clock, settled } = source({ refreshBefore: 120 });
    const first = await tokens.accessToken();
    expect(first.expiresAt.getTime()).toBe(clock.ms + 85_799_000);
    const all = await Promise.all(Array.from({ length: 50 }, () => tokens.accessToken()));
    expect(all.every((token) => token.accessToken === first.accessToken)).toBe(true);
    clock.ms = first.expiresAt.getTime() - 120_000 - 1;
    expect((await tokens.accessToken()).accessToken).toBe(first.accessToken);
    clock.ms += 1;
    expect((await tokens.accessToken()).accessToken).toBe(first.accessToken);
    await settled(2);
    expect((await tokens.accessToken()).accessToken).not.toBe(first.accessToken);
    expect(f.server.count(TOKEN)).toBe(2);
  });
});

describe("createTokenSource() checks its options at once", () => {
  test.each([
    ["no secret", { clientSecret: "" }],
    ["validity not longer than refreshBefore", { validity: 60, refreshBefore: 60 }],
    ["a negative refreshBefore", { refreshBefore: -1 }],
    ["a clock that is not a function", { now: 5 as never }],
    ["an http: baseUrl", { baseUrl: "http://example.com" }],
  ])("%s is INVALID_ARGUMENT", async (_, change) => {
    await rejects(() => createTokenSource({ ...f.org, ...change }), "INVALID_ARGUMENT");
  });
});

/** A fetch that answers `answer(now)` for the source's clock; it counts the requests it was sent. */
function scripted(
  clock: { ms: number },
  answer: (now: number) => Response | Error,
): typeof fetch & { calls: number[] } {
  const calls: number[] = [];
  const fetch = ((_input: string, _init: RequestInit) => {
    calls.push(clock.ms);
    const result = answer(clock.ms);
    return result instanceof Error ? Promise.reject(result) : Promise.resolve(result);
  }) as unknown as typeof globalThis.fetch;
  return Object.assign(fetch, { calls });
}

/** What Node's fetch throws when nothing listens. */
const connectionRefused = (): Error =>
  Object.assign(new TypeError("fetch failed"), {
    cause: Object.assign(new Error("connect ECONNREFUSED"), { code: "ECONNREFUSED" }),
  });

/** A JWT the source takes (it reads `exp` only), valid for an hour from `now`. */
function jwtAt(now: number): Response {
  const b64 = (value: unknown): string => Buffer.from(JSON.stringify(value)).toString("base64url");
  const jwt = `${b64({ alg: "ES384" })}.${b64({ iss: "itsyouonline", exp: Math.floor(now / 1000) + 3600 })}.AAAA`;
  return new Response(jwt, { headers: { "content-type": "application/jwt" } });
}

/** The fake clock's start, in ms since the epoch. */
const START = 1_700_000_000_000;

/** A token source on a fake clock from START whose fetch answers `answer(now)`; a renewal is one request (no retries). */
function onFakeClock(answer: (now: number) => Response | Error): {
  clock: { ms: number };
  fetch: ReturnType<typeof scripted>;
  tokens: ReturnType<typeof createTokenSource>;
} {
  const clock = { ms: START };
  const fetch = scripted(clock, answer);
  const tokens = createTokenSource({
    clientId: "acme",
    clientSecret: "s3cret-value",
    fetch,
    retries: 0,
    now: () => clock.ms,
  });
  return { clock, fetch, tokens };
}

describe("createTokenSource() paces renewals when nothing valid is left (a fake clock, 1000 callers)", () => {
  /** 1000 callers, one every 60 ms of the source's clock over 60 s; each call's outcome, and whether it settled at once. */
  async function callers(
    tokens: ReturnType<typeof createTokenSource>,
    clock: { ms: number },
  ): Promise<{ at: number; ok: boolean; error?: Error; atOnce: boolean }[]> {
    const start = clock.ms;
    const outcomes = [];
    for (let i = 0; i < 1000; i++) {
      clock.ms = start + i * 60;
      let settled = false;
      const call = tokens.jwt().then(() => ({ ok: true }), (error: Error) => ({ ok: false, error })).finally(() =>
        settled = true
      );
      // A paced failure is a rejection already made: it settles within the microtasks of this turn.
      for (let turn = 0; turn < 5; turn++) await Promise.resolve();
      const atOnce = settled;
      outcomes.push({ at: clock.ms - start, ...(await call), atOnce });
    }
    return outcomes;
  }

  test("credentials refused: one request per backoff step (5 s doubling), every caller in between gets the last failure at once", async () => {
    const { clock, fetch, tokens } = onFakeClock(() => new Response("Bad Request\n", { status: 400 }));
    const outcomes = await callers(tokens, clock);
    expect(outcomes.every((outcome) => !outcome.ok)).toBe(true);
    // Steps of 5, 10, 20, 40 s, each drawn from its upper half: 4 or 5 requests in 60 s, the gaps growing.
    const gaps = fetch.calls.slice(1).map((at, i) => at - fetch.calls[i]);
    expect(fetch.calls.length).toBeGreaterThanOrEqual(4);
    expect(fetch.calls.length).toBeLessThanOrEqual(5);
    gaps.forEach((gap, i) => {
      expect(gap).toBeGreaterThanOrEqual(5_000 * 2 ** i / 2);
      expect(gap).toBeLessThanOrEqual(5_000 * 2 ** i + 60);
    });
    const paced = outcomes.filter((outcome) => !fetch.calls.includes(outcome.at + START));
    expect(paced.length).toBe(1000 - fetch.calls.length);
    expect(paced.every((outcome) => outcome.atOnce)).toBe(true);
    for (const { error } of paced) {
      expect(error).toMatchObject({ code: "HTTP_ERROR", status: 400 });
      expect(error!.message).toMatch(/refused the client credentials.*tries again from \d{4}-\d\d-\d\dT.*Z on/);
      expect(error!.message).not.toContain("s3cret-value");
    }
    // One error per failure, not one per call.
    expect(new Set(paced.map((outcome) => outcome.error)).size).toBe(fetch.calls.length);
  });

  test("a server down for 30 s (connection refused): requests 1 s doubling apart, and it is used within one step of coming back", async () => {
    const { clock, fetch, tokens } = onFakeClock((now) => (now - START < 30_000 ? connectionRefused() : jwtAt(now)));
    const outcomes = await callers(tokens, clock);
    const firstSuccess = outcomes.find((outcome) => outcome.ok)!;
    const lastFailure = fetch.calls.at(-2)! - START;
    expect(firstSuccess.at).toBeGreaterThanOrEqual(30_000);
    // The success is the first attempt after the server came back, one step (at most 16 s here) after the last failure.
    expect(fetch.calls.at(-1)! - START).toBe(firstSuccess.at);
    expect(firstSuccess.at - lastFailure).toBeLessThanOrEqual(2 ** (fetch.calls.length - 2) * 1000 + 60);
    expect(fetch.calls.length).toBeLessThanOrEqual(7); // 0, 1, 3, 7, 15, 31 s at the most, then the success
    expect(outcomes.slice(outcomes.indexOf(firstSuccess)).every((outcome) => outcome.ok)).toBe(true);
  });

  test("a refusal after a run of network failures waits a refusal's first step, not the cap the failures reached", async () => {
    let refuse = false;
    const { clock, fetch, tokens } = onFakeClock(
      () => (refuse ? new Response("", { status: 400 }) : connectionRefused()),
    );
    for (let i = 0; i < 8; i++) {
      await rejects(tokens.jwt(), "NETWORK_ERROR");
      clock.ms += 60_000; // past any step: 8 network failures in a row, the step at its 60 s cap
    }
    refuse = true;
    await rejects(tokens.jwt(), "HTTP_ERROR");
    expect(fetch.calls.length).toBe(9);
    clock.ms += 5_000; // a refusal's first step (2.5 to 5 s), not 2 minutes
    await rejects(tokens.jwt(), "HTTP_ERROR");
    expect(fetch.calls.length).toBe(10);
  });

  test("invalidate() starts afresh: the next call tries at once", async () => {
    let refuse = true;
    const { fetch, tokens } = onFakeClock((now) => (refuse ? new Response("", { status: 400 }) : jwtAt(now)));
    await rejects(tokens.jwt(), "HTTP_ERROR");
    await rejects(tokens.jwt(), "HTTP_ERROR");
    expect(fetch.calls.length).toBe(1);
    refuse = false;
    tokens.invalidate();
    await tokens.jwt();
    expect(fetch.calls.length).toBe(2);
  });
});
