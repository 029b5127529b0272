/**
 * server/ against the real ItsYou.online server: every request of corpus.json goes to both, with
 * the same credentials, and the answers must match in status, content type, the headers the
 * protocol document names, and the body (tokens, signatures and times normalised). A corpus entry
 * with `differs` documents a known difference, and the test then requires the answers to differ.
 */
import { afterAll, beforeAll, expect, test } from "vitest";
import { readFileSync } from "node:fs";
import { decodeJwt, getAccessToken, getJwt } from "../../mod.ts";
import { startServer } from "../../server/serve.ts";
import type { Registry, RunningServer } from "../../server/serve.ts";
import { CODE_CLIENT, MEMBER_KEY, PREFIX_ORG, USER, USER_KEY } from "../../harness/real-seed.ts";
import { realServer } from "../../harness/real-server.ts";

interface Entry {
  name: string;
  method: string;
  path: string;
  query?: string;
  form?: Record<string, string>;
  body?: string;
  contentType?: string;
  headers?: Record<string, string>;
  /** Why server/ answers differently, on purpose. */
  differs?: string;
}

const corpus = JSON.parse(readFileSync(new URL("corpus.json", import.meta.url), "utf8")) as { requests: Entry[] };
/** The headers the protocol document names; Set-Cookie, Date and Content-Length are not compared (README). */
const COMPARED_HEADERS = [
  "content-type",
  "x-content-type-options",
  "access-control-allow-origin",
  "access-control-allow-methods",
  "access-control-allow-headers",
  "allow",
  "location",
];

interface Target {
  base: string;
  values: Record<string, string>;
}

/** The tokens each server issued, to fill the corpus's placeholders. */
async function targetFor(base: string, org: { clientId: string; clientSecret: string }): Promise<Target> {
  const at = { baseUrl: base };
  const userToken = await getAccessToken({ ...USER_KEY, ...at });
  const userRefreshableJwt = await getJwt(userToken, { ...at, scope: "user:name", refreshable: true });
  // A parent that has expired: one second of life, then waited out (beforeAll waits for both servers at once).
  const expiredUserRefreshableJwt = await getJwt(userToken, {
    ...at,
    scope: "user:name",
    refreshable: true,
    validity: 1,
  });
  await new Promise((resolve) => setTimeout(resolve, 2100));
  return {
    base,
    values: {
      orgId: org.clientId,
      orgSecret: org.clientSecret,
      codeClientSecret: CODE_CLIENT.clientSecret,
      userKeyId: USER_KEY.clientId,
      userKeySecret: USER_KEY.clientSecret,
      basicOrg: Buffer.from(`${org.clientId}:${org.clientSecret}`).toString("base64"),
      accessToken: (await getAccessToken({ ...org, ...at })).accessToken,
      userAccessToken: userToken.accessToken,
      jwt: await getJwt(org, at),
      refreshableJwt: await getJwt(org, { ...at, refreshable: true }),
      userJwt: await getJwt(userToken, { ...at, scope: "user:name" }),
      userRefreshableJwt,
      userAdminRefreshableJwt: await getJwt(userToken, { ...at, refreshable: true }),
      expiredUserRefreshableJwt,
      // deriveJwt never asks for a refreshable JWT; the server makes one for anyone who asks.
      derivedRefreshableJwt: await delegate(base, userRefreshableJwt, {
        scope: "user:name,offline_access",
        validity: "600",
      }),
      memberRefreshableJwt: await getJwt(await getAccessToken({ ...MEMBER_KEY, ...at }), {
        ...at,
        scope: "user:memberof:testorg",
        refreshable: true,
      }),
      forgedRefreshableJwt: await delegate(base, await getJwt(userToken, { ...at, refreshable: true }), {
        scope: "user:memberof:testorg,offline_access",
      }),
      prefixOrg: PREFIX_ORG,
    },
  };
}

/** A delegation request sent as it is, without deriveJwt's checks. */
async function delegate(base: string, parent: string, form: Record<string, string>): Promise<string> {
  const response = await fetch(`${base}/v1/oauth/jwt`, {
    method: "POST",
    headers: { authorization: `bearer ${parent}`, "content-type": "application/x-www-form-urlencoded" },
    body: new URLSearchParams(form),
  });
  if (response.status !== 200) throw new Error(`${base}: delegation answered ${response.status}`);
  return response.text();
}

interface Answer {
  status: number;
  headers: Record<string, string | null>;
  body: unknown;
  endsWithNewline: boolean;
}

async function send(target: Target, entry: Entry): Promise<Answer> {
  const fill = (text: string): string =>
    text.replace(/\{(\w+)\}/g, (_, name: string) => target.values[name] ?? `{${name}}`);
  const headers: Record<string, string> = Object.fromEntries(
    Object.entries(entry.headers ?? {}).map(([name, value]) => [name, fill(value)]),
  );
  let body: string | undefined;
  if (entry.form) {
    body = new URLSearchParams(Object.entries(entry.form).map(([name, value]) => [name, fill(value)])).toString();
    headers["content-type"] = "application/x-www-form-urlencoded";
  } else if (entry.body !== undefined) {
    body = fill(entry.body);
    headers["content-type"] = entry.contentType ?? "text/plain";
  }
  const url = `${target.base}${entry.path}${entry.query ? `?${fill(entry.query)}` : ""}`;
  const response = await fetch(url, { method: entry.method, headers, body, redirect: "manual" });
  const text = await response.text();
  const started = Math.floor(Date.now() / 1000);
  const normalise = (value: string): string => value.split(target.base).join("<base>");
  return {
    status: response.status,
    headers: Object.fromEntries(COMPARED_HEADERS.map((name) => {
      const value = response.headers.get(name);
      return [
        name,
        value === null
          ? null
          : normaliseText(normalise(name === "content-type" ? value.toLowerCase().replace(/\s/g, "") : value), started),
      ];
    })),
    body: normaliseBody(normalise(text), started),
    endsWithNewline: text.endsWith("\n"),
  };
}

const JWT = /^eyJ[\w-]*\.eyJ[\w-]*\.[\w-]+$/;
const TOKEN = /^[\w-]{28}$/;

/** A JWT as its header and claims, with times relative to now (to 10 s) and random values named. */
function normaliseJwt(jwt: string, now: number): unknown {
  const header = JSON.parse(Buffer.from(jwt.split(".")[0], "base64url").toString());
  const claims = decodeJwt(jwt) as Record<string, unknown>;
  const normalised: Record<string, unknown> = {};
  for (const [name, value] of Object.entries(claims)) {
    if ((name === "exp" || name === "iat") && typeof value === "number") {
      normalised[name] = `now${value - now >= 0 ? "+" : ""}${Math.round((value - now) / 10) * 10}s`;
    } else if (name === "refresh_token") normalised[name] = "<refresh_token>";
    else normalised[name] = value;
  }
  return { jwt: { header, claims: normalised, claimOrder: Object.keys(claims) } };
}

function normaliseText(text: string, now: number): string {
  return text
    .replace(/eyJ[\w-]*\.eyJ[\w-]*\.[\w-]+/g, (jwt) => JSON.stringify(normaliseJwt(jwt, now)))
    .replace(/(?<=[=:"])[\w-]{28}(?=[&"]|$)/g, "<token>");
}

function normaliseBody(text: string, now: number): unknown {
  const trimmed = text.trim();
  if (JWT.test(trimmed)) return normaliseJwt(trimmed, now);
  try {
    return normaliseJson(JSON.parse(trimmed), now);
  } catch {
    return normaliseText(text, now);
  }
}

function normaliseJson(value: unknown, now: number): unknown {
  if (typeof value === "string") {
    return JWT.test(value) ? normaliseJwt(value, now) : TOKEN.test(value) ? "<token>" : value;
  }
  if (Array.isArray(value)) return value.map((item) => normaliseJson(item, now));
  if (value && typeof value === "object") {
    // Key order is part of the answer (Go writes struct fields in order): kept as an entry list.
    return Object.entries(value).map(([key, item]) => [key, normaliseJson(item, now)]);
  }
  return value;
}

let real: Target;
let local: Target;
let localServer: RunningServer;

beforeAll(async () => {
  const server = realServer();
  const registry: Registry = {
    organizations: [
      { globalId: server.org.clientId, secret: server.org.clientSecret, clientCredentials: true, callbackUrl: "" },
      {
        globalId: CODE_CLIENT.clientId,
        secret: CODE_CLIENT.clientSecret,
        clientCredentials: false,
        callbackUrl: CODE_CLIENT.callbackUrl,
      },
    ],
    userKeys: [
      { applicationId: USER_KEY.clientId, secret: USER_KEY.clientSecret, username: USER.username },
      { applicationId: MEMBER_KEY.clientId, secret: MEMBER_KEY.clientSecret, username: "alice" },
    ],
    users: [
      { username: USER.username, name: "Bob Example", email: "bob@example.com", memberOf: [], grants: [] },
      { username: "alice", name: "Alice Test", email: "", memberOf: ["testorg"], grants: [] },
    ],
  };
  localServer = await startServer({ registry });
  [real, local] = await Promise.all([targetFor(server.url, server.org), targetFor(localServer.url, server.org)]);
});

afterAll(() => localServer?.close());

test("the corpus has at least 40 requests, each named once, and at least 22 on delegation (a bearer JWT at /v1/oauth/jwt)", () => {
  expect(corpus.requests.length).toBeGreaterThanOrEqual(40);
  const delegation = corpus.requests.filter((entry) =>
    entry.path === "/v1/oauth/jwt" && /^bearer /i.test(entry.headers?.authorization ?? "")
  );
  expect(delegation.length).toBeGreaterThanOrEqual(22);
  expect(new Set(corpus.requests.map((entry) => entry.name)).size).toBe(corpus.requests.length);
});

test.each(corpus.requests.map((entry) => [entry.name, entry] as const))("%s", async (_, entry) => {
  const [fromReal, fromLocal] = [await send(real, entry), await send(local, entry)];
  if (entry.differs) {
    expect(fromLocal, `listed as differing (${entry.differs}), but the answers match`).not.toEqual(fromReal);
  } else expect(fromLocal).toEqual(fromReal);
});
