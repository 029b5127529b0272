/**
 * How mod.ts classifies failures, as cases every runtime's suite runs (Node,
 * Deno, Bun): their `fetch` errors differ, the codes and retry decisions must
 * not. Each case counts the attempts `fetch` saw. Runtime-neutral.
 */
import { getAccessToken, getJwt } from "../../mod.ts";
import type { FetchFunction, FetchInit, ItsYouOnlineErrorCode } from "../../mod.ts";
import { startServer } from "../../server/serve.ts";
import type { RunningServer } from "../../server/serve.ts";
import { createServer as createTcpServer } from "node:net";
import type { Server as TcpServer, Socket } from "node:net";
import { createSecureServer } from "node:http2";
import { closedPortUrl, startFixture } from "./fixture.ts";
import type { Fixture } from "./fixture.ts";
import { makeCertificates } from "../../harness/tls.ts";

export interface FailureSetting {
  f: Fixture;
  /** A server whose certificate comes from a CA nobody trusts. */
  untrusted: RunningServer;
  closedUrl: string;
  /** `http://127.0.0.1:PORT` of TCP servers that answer every request with these bytes. */
  raw: Record<"notHttp" | "badStatus" | "hugeHeader", string>;
  /** Starts a TLS server that speaks only HTTP/2 (no HTTP/1.1 by ALPN); returns its https: URL. */
  http2Only(): Promise<string>;
  close(): Promise<void>;
}

/** The runtime these cases run on: their fetch implementations differ. */
export const RUNTIME: "deno" | "bun" | "node" = "Deno" in globalThis ? "deno" : "Bun" in globalThis ? "bun" : "node";

export async function startFailureSetting(): Promise<FailureSetting> {
  const f = await startFixture();
  const { cert, key } = makeCertificates();
  const untrusted = await startServer({ tls: { cert, key } });
  const closedUrl = await closedPortUrl();
  const servers: TcpServer[] = [];
  const sockets = new Set<Socket>();
  const listen = async (server: TcpServer): Promise<string> => {
    servers.push(server);
    server.on("connection", (socket: Socket) => {
      sockets.add(socket);
      socket.on("error", () => {});
      socket.on("close", () => sockets.delete(socket));
    });
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    return `http://127.0.0.1:${(server.address() as { port: number }).port}`;
  };
  const answering = (bytes: string): Promise<string> =>
    listen(createTcpServer((socket) => void socket.once("data", () => socket.end(bytes))));
  const raw = {
    // Another service on the port: it greets first, whatever the client says.
    notHttp: await listen(createTcpServer((socket) => void socket.end("SSH-2.0-OpenSSH_9.2p1 Debian-2\r\n"))),
    badStatus: await answering("HTTP/1.1 abc\r\n\r\n"),
    hugeHeader: await answering(`HTTP/1.1 200 OK\r\nX-Padding: ${"a".repeat(100_000)}\r\nContent-Length: 2\r\n\r\nhi`),
  };
  const http2Only = async (): Promise<string> => {
    const server = createSecureServer({ cert, key, allowHTTP1: false }, (_request, response) => response.end("{}"));
    return (await listen(server as unknown as TcpServer)).replace("http:", "https:");
  };
  return {
    f,
    untrusted,
    closedUrl,
    raw,
    http2Only,
    close: async () => {
      for (const socket of sockets) socket.destroy();
      await Promise.all([
        f.server.close(),
        untrusted.close(),
        ...servers.map((server) => new Promise((resolve) => server.close(resolve))),
      ]);
    },
  };
}

export interface FailureCase {
  name: string;
  code: ItsYouOnlineErrorCode;
  /** Calls of `fetch` (retries: 1, so 2 means retried once, 1 means failed at once). */
  attempts: number;
  /** What the message must say. */
  message?: RegExp;
  /** Only on these runtimes, with the reason in the name (default: all). */
  runtimes?: (typeof RUNTIME)[];
  /** Makes the request; `counted(f)` is `f` with its calls counted (`counted()` counts the runtime's fetch). */
  call(s: FailureSetting, counted: (f?: FetchFunction) => FetchFunction): Promise<unknown>;
}

const options = { retries: 1, timeout: 300 };
const never = new Promise<never>(() => {});

/** A Node-style fetch failure: a TypeError whose cause carries `code`. */
const nodeFailure = (code: string, message: string): FetchFunction => () =>
  Promise.reject(new TypeError("fetch failed", { cause: Object.assign(new Error(message), { code }) }));
/** Certificate advice must not appear where no certificate was checked. */
const NO_CERTIFICATE_ADVICE = /^(?![\s\S]*NODE_EXTRA_CA_CERTS)(?![\s\S]*--cert)/;

const ALL_CASES: FailureCase[] = [
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
    name: "https: to a plain-HTTP port fails at once and names the scheme and port, without certificate advice",
    code: "TLS_ERROR",
    attempts: 1,
    message: new RegExp(
      `${NO_CERTIFICATE_ADVICE.source}.*failed before any certificate was checked.*Check the base URL's scheme and port`,
    ),
    call: (s, counted) =>
      getAccessToken({ ...s.f.org, baseUrl: s.f.at.baseUrl.replace("http:", "https:"), fetch: counted(), ...options }),
  },
  {
    name: "a server that speaks only HTTP/2 fails at once and says so (Node and Bun; Deno's fetch speaks HTTP/2)",
    code: "TLS_ERROR",
    attempts: 1,
    runtimes: ["node", "bun"],
    message: new RegExp(`${NO_CERTIFICATE_ADVICE.source}.*failed before any certificate was checked.*not only HTTP/2`),
    call: async (s, counted) =>
      getAccessToken({ ...s.f.org, baseUrl: await s.http2Only(), fetch: counted(), ...options }),
  },
  {
    name: "another service on the port (not HTTP) is INVALID_RESPONSE naming the base URL, at once",
    code: "INVALID_RESPONSE",
    attempts: 1,
    message:
      /What answered at http:\/\/127\.0\.0\.1:\d+ for \/v1\/oauth\/access_token is not an HTTP\/1\.1 server.*host and port/,
    call: (s, counted) => getAccessToken({ ...s.f.org, baseUrl: s.raw.notHttp, fetch: counted(), ...options }),
  },
  {
    name: "a malformed status line is INVALID_RESPONSE naming the base URL, at once",
    code: "INVALID_RESPONSE",
    attempts: 1,
    message: /What answered at http:\/\/127\.0\.0\.1:\d+ for \/v1\/oauth\/access_token is not an HTTP\/1\.1 server/,
    call: (s, counted) => getAccessToken({ ...s.f.org, baseUrl: s.raw.badStatus, fetch: counted(), ...options }),
  },
  {
    name:
      "a 100 kB header is INVALID_RESPONSE naming the base URL, at once (Node refuses the header, Deno and Bun the body)",
    code: "INVALID_RESPONSE",
    attempts: 1,
    message: /http:\/\/127\.0\.0\.1:\d+/,
    call: (s, counted) => getAccessToken({ ...s.f.org, baseUrl: s.raw.hugeHeader, fetch: counted(), ...options }),
  },
  {
    name: "a permanent DNS failure (EAI_FAIL) fails at once",
    code: "NETWORK_ERROR",
    attempts: 1,
    message: /host itsyou\.example does not exist.*check the base URL and DNS/,
    call: (s, counted) =>
      getAccessToken({
        ...s.f.org,
        baseUrl: "https://itsyou.example",
        fetch: counted(nodeFailure("EAI_FAIL", "getaddrinfo EAI_FAIL itsyou.example")),
        ...options,
      }),
  },
  {
    name: "no local address or port free (EADDRNOTAVAIL) is retried",
    code: "NETWORK_ERROR",
    attempts: 2,
    message: /Could not reach ItsYou\.online/,
    call: (s, counted) =>
      getAccessToken({
        ...s.f.org,
        ...s.f.at,
        fetch: counted(nodeFailure("EADDRNOTAVAIL", "connect EADDRNOTAVAIL 127.0.0.1:1 - Local (0.0.0.0:0)")),
        ...options,
      }),
  },
  {
    name: "a host that does not exist fails at once",
    code: "NETWORK_ERROR",
    attempts: 1,
    message: /host no-such-host\.invalid does not exist/,
    call: (s, counted) =>
      getAccessToken({ ...s.f.org, baseUrl: "https://no-such-host.invalid", fetch: counted(), ...options }),
  },
  {
    name: "a fetch that throws a programming error fails at once, not as a network error",
    code: "FETCH_ERROR",
    attempts: 1,
    message: /Illegal invocation.*check the fetch you pass/,
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

/** The cases for the runtime this runs on. */
export const FAILURE_CASES: FailureCase[] = ALL_CASES.filter((c) =>
  c.runtimes === undefined || c.runtimes.includes(RUNTIME)
);

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
