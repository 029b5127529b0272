/**
 * How mod.ts classifies failures, as cases every runtime's suite runs (Node,
 * Deno, Bun): their `fetch` errors differ, the codes and retry decisions must
 * not. Each case counts the attempts `fetch` saw. Runtime-neutral.
 */
import { getAccessToken, getJwt } from "../../mod.ts";
import type { FetchFunction, FetchInit, ItsYouOnlineErrorCode } from "../../mod.ts";
import { startServer } from "../../server/serve.ts";
import type { RunningServer } from "../../server/serve.ts";
import { closedPortUrl, startFixture } from "./fixture.ts";
import type { Fixture } from "./fixture.ts";
import { makeCertificates } from "./tls.ts";

export interface FailureSetting {
  f: Fixture;
  /** A server whose certificate comes from a CA nobody trusts. */
  untrusted: RunningServer;
  closedUrl: string;
  close(): Promise<void>;
}

export async function startFailureSetting(): Promise<FailureSetting> {
  const f = await startFixture();
  const { cert, key } = makeCertificates();
  const untrusted = await startServer({ tls: { cert, key } });
  const closedUrl = await closedPortUrl();
  return { f, untrusted, closedUrl, close: async () => void (await Promise.all([f.server.close(), untrusted.close()])) };
}

export interface FailureCase {
  name: string;
  code: ItsYouOnlineErrorCode;
  /** Calls of `fetch` (retries: 1, so 2 means retried once, 1 means failed at once). */
  attempts: number;
  /** What the message must say. */
  message?: RegExp;
  /** Makes the request; `counted(f)` is `f` with its calls counted (`counted()` counts the runtime's fetch). */
  call(s: FailureSetting, counted: (f?: FetchFunction) => FetchFunction): Promise<unknown>;
}

const options = { retries: 1, timeout: 300 };
const never = new Promise<never>(() => {});

export const FAILURE_CASES: FailureCase[] = [
  {
    name: "a refused connection is retried",
    code: "NETWORK_ERROR",
    attempts: 2,
    message: /Could not reach ItsYou\.online/,
    call: (s, counted) => getAccessToken({ ...s.f.org, baseUrl: s.closedUrl, fetch: counted(), ...options }),
  },
  ...(["reset", "reset-during-body"] as const).map((type): FailureCase => ({
    name: `a ${type === "reset" ? "reset before the answer" : "reset during the body"} is retried`,
    code: "NETWORK_ERROR",
    attempts: 2,
    call: (s, counted) => {
      s.f.server.inject({ path: "/v1/oauth/access_token", times: 2, fault: { type } });
      return getAccessToken({ ...s.f.org, ...s.f.at, fetch: counted(), ...options });
    },
  })),
  {
    name: "an untrusted certificate fails at once and says how to trust a private CA",
    code: "TLS_ERROR",
    attempts: 1,
    message: /certificate is not trusted.*NODE_EXTRA_CA_CERTS.*--cert/,
    call: (s, counted) => getAccessToken({ ...s.f.org, baseUrl: s.untrusted.url, fetch: counted(), ...options }),
  },
  {
    name: "a host that does not exist fails at once",
    code: "NETWORK_ERROR",
    attempts: 1,
    message: /host no-such-host\.invalid does not exist/,
    call: (s, counted) => getAccessToken({ ...s.f.org, baseUrl: "https://no-such-host.invalid", fetch: counted(), ...options }),
  },
  {
    name: "a fetch that throws a programming error fails at once, not as a network error",
    code: "FETCH_ERROR",
    attempts: 1,
    message: /Illegal invocation/,
    call: (s, counted) => {
      const broken: FetchFunction = () => {
        throw new TypeError("Illegal invocation");
      };
      return getAccessToken({ ...s.f.org, ...s.f.at, fetch: counted(broken), ...options });
    },
  },
  {
    name: "a fetch that never settles (and ignores its signal) ends at the timeout",
    code: "TIMEOUT",
    attempts: 2,
    message: /within 300 ms/,
    call: (s, counted) => getAccessToken({ ...s.f.org, ...s.f.at, fetch: counted(() => never), ...options }),
  },
  {
    name: "a body whose read() never settles ends at the timeout",
    code: "TIMEOUT",
    attempts: 2,
    call: (s, counted) => {
      const stuckBody: FetchFunction = async (input, init: FetchInit) => {
        const response = await fetch(input, init);
        await response.body?.cancel();
        const reader = { read: () => never, cancel: () => never };
        return { status: 200, headers: response.headers, body: { getReader: () => reader, cancel: () => never } };
      };
      return getAccessToken({ ...s.f.org, ...s.f.at, fetch: counted(stuckBody), ...options });
    },
  },
  {
    name: "a userAgent that is not printable ASCII is refused before sending",
    code: "INVALID_ARGUMENT",
    attempts: 0,
    message: /userAgent contains a character that is not printable ASCII/,
    call: (s, counted) => getAccessToken({ ...s.f.org, ...s.f.at, fetch: counted(), ...options, userAgent: "café ☃" }),
  },
  {
    name: "an access token with a character beyond Latin-1 is refused before sending",
    code: "INVALID_ARGUMENT",
    attempts: 0,
    message: /access token contains a character/,
    call: (s, counted) => getJwt("tok☃en", { ...s.f.at, fetch: counted(), ...options }),
  },
];

/** Runs a case: its error (or what it resolved to) and how many times `fetch` was called. */
export async function runFailureCase(s: FailureSetting, c: FailureCase): Promise<{ error: unknown; attempts: number }> {
  let attempts = 0;
  const counted = (f: FetchFunction = (input, init) => fetch(input, init)): FetchFunction => (input, init) => {
    attempts++;
    return f(input, init);
  };
  const error = await c.call(s, counted).then((value) => value, (caught: unknown) => caught);
  return { error, attempts };
}
