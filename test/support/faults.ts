/**
 * The fault matrix shared by faults-core.test.ts and faults-action.test.ts: every
 * fault the local server can inject, with the expected outcome (an error code, or
 * success after retries), how many requests the server sees, and an upper bound on
 * the time taken (the retry and timeout budget plus slack: a bound on hanging, not
 * a benchmark).
 */
import { decodeJwt, getAccessToken, getJwt, refreshJwt } from "../../mod.ts";
import type { ItsYouOnlineErrorCode } from "../../mod.ts";
import type { Fault } from "../../server/serve.ts";
import type { Fixture } from "./fixture.ts";

export const TOKEN = "/v1/oauth/access_token";
export const JWT = "/v1/oauth/jwt";
export const REFRESH = "/v1/oauth/jwt/refresh";
export const TIMEOUT_MS = 300;
/** Backoff waits at most 200 + 400 + 800 ms over three retries. */
export const BACKOFF_MS = 1400;
export const SLACK_MS = 3000;

export interface Case {
  name: string;
  fault: Fault;
  /** How many requests the fault applies to (default: all of them). */
  times?: number;
  /** An error code, or "ok" for success after retries. */
  expect: ItsYouOnlineErrorCode | "ok";
  /** Requests the server sees for this endpoint. */
  requests: number;
  /** Extra time the fault itself may take, on top of the retry budget. */
  extraMs?: number;
  /** Only for these endpoints (default: all). */
  only?: string[];
}

export const ALWAYS = 100;

/** A fault on the first request only (the retry succeeds), and the same fault on every request (`code` after the retries). */
function onceAndAlways(name: string, fault: Fault, code: ItsYouOnlineErrorCode): Case[] {
  return [
    { name: `${name}, once`, fault, times: 1, expect: "ok", requests: 2 },
    { name: `${name}, always`, fault, expect: code, requests: 4 },
  ];
}
const html = { "content-type": "text/html" };
const json = { "content-type": "application/json" };
const jwtType = { "content-type": "application/jwt" };
export const CASES: Case[] = [
  ...onceAndAlways("reset before the answer", { type: "reset" }, "NETWORK_ERROR"),
  ...onceAndAlways("reset during the body", { type: "reset-during-body" }, "NETWORK_ERROR"),
  ...onceAndAlways("headers slower than the timeout", { type: "delay-headers", ms: 2000 }, "TIMEOUT"),
  ...onceAndAlways("body slower than the timeout", { type: "delay-body", ms: 2000 }, "TIMEOUT"),
  {
    name: "500 with an empty body, always",
    fault: { type: "respond", status: 500 },
    expect: "HTTP_ERROR",
    requests: 4,
  },
  {
    name: "502 once, then success",
    fault: { type: "respond", status: 502, body: "<html>Bad gateway</html>", headers: html },
    times: 1,
    expect: "ok",
    requests: 2,
  },
  { name: "503 once, then success", fault: { type: "respond", status: 503 }, times: 1, expect: "ok", requests: 2 },
  { name: "504 once, then success", fault: { type: "respond", status: 504 }, times: 1, expect: "ok", requests: 2 },
  {
    name: "429 with Retry-After: 1, once",
    fault: { type: "respond", status: 429, headers: { "retry-after": "1" } },
    times: 1,
    expect: "ok",
    requests: 2,
    extraMs: 1000,
  },
  {
    name: "429 with Retry-After as an HTTP date, once",
    fault: { type: "respond", status: 429, headers: { "retry-after": new Date(Date.now() + 1000).toUTCString() } },
    times: 1,
    expect: "ok",
    requests: 2,
    extraMs: 1000,
  },
  {
    name: "429 with Retry-After: 3600",
    fault: { type: "respond", status: 429, headers: { "retry-after": "3600" } },
    expect: "HTTP_ERROR",
    requests: 1,
  },
  {
    name: "200 with an HTML page",
    fault: { type: "respond", status: 200, body: "<!doctype html><title>Login</title>", headers: html },
    expect: "INVALID_RESPONSE",
    requests: 1,
  },
  {
    name: "200 with truncated JSON",
    fault: { type: "respond", status: 200, body: '{"access_token":"abc', headers: json },
    expect: "INVALID_RESPONSE",
    requests: 1,
  },
  {
    name: "200 JSON without access_token",
    fault: { type: "respond", status: 200, body: '{"token_type":"bearer"}\n', headers: json },
    expect: "INVALID_RESPONSE",
    requests: 1,
  },
  {
    name: "200 JSON with a wrong token_type",
    fault: {
      type: "respond",
      status: 200,
      body: '{"access_token":"abc","token_type":"mac","scope":"","expires_in":1,"info":{}}\n',
      headers: json,
    },
    expect: "INVALID_RESPONSE",
    requests: 1,
    only: [TOKEN],
  },
  {
    name: "a 10 MB body",
    fault: { type: "respond", status: 200, size: 10 * 1024 * 1024 },
    expect: "INVALID_RESPONSE",
    requests: 1,
  },
  {
    name: "a 301 to another host",
    fault: { type: "respond", status: 301, headers: { location: "https://elsewhere.example/" } },
    expect: "HTTP_ERROR",
    requests: 1,
  },
  {
    name: "a JWT endpoint answering something that is not a JWT",
    fault: { type: "respond", status: 200, body: "hello.world", headers: jwtType },
    expect: "INVALID_RESPONSE",
    requests: 1,
    only: [JWT, REFRESH],
  },
];

export const budget = (c: Case): number => c.requests * TIMEOUT_MS + BACKOFF_MS + (c.extraMs ?? 0) + SLACK_MS;

/** The call that reaches `path`, with what it needs fetched beforehand, and the secrets in play. */
export async function prepare(
  f: Fixture,
  path: string,
  baseUrl = f.at.baseUrl,
): Promise<{ call: () => Promise<unknown>; secrets: Record<string, string> }> {
  const options = { baseUrl, timeout: TIMEOUT_MS };
  if (path === TOKEN) {
    return { call: () => getAccessToken({ ...f.org, ...options }), secrets: { clientSecret: f.org.clientSecret } };
  }
  if (path === JWT) {
    const token = await getAccessToken({ ...f.org, ...f.at });
    return { call: () => getJwt(token, options), secrets: { accessToken: token.accessToken } };
  }
  const jwt = await getJwt(f.org, { ...f.at, refreshable: true });
  return { call: () => refreshJwt(jwt, options), secrets: { jwt, refreshToken: String(decodeJwt(jwt).refresh_token) } };
}
