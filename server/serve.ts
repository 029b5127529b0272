/**
 * Starts the local ItsYou.online-compatible server on 127.0.0.1 with a random
 * port, a fresh P-384 key and freshly generated credentials.
 */
import { randomBytes } from "node:crypto";
import { createServer as createHttpServer } from "node:http";
import type { RequestListener } from "node:http";
import { createServer as createHttpsServer } from "node:https";
import type { AddressInfo } from "node:net";
import { createItsYouHandler, createState } from "./itsyou.ts";
import type { BodyHandler, Registry } from "./itsyou.ts";
import { withFaults } from "./faults.ts";
import type { FaultRule } from "./faults.ts";

export type { Fault, FaultRule } from "./faults.ts";
export type { Registry } from "./itsyou.ts";

/** One request as the server saw it, faulted ones included, for tests that count round trips. */
export interface RequestRecord {
  method: string;
  path: string;
  query: string;
  headers: Record<string, string | string[] | undefined>;
  body: string;
}

export interface ServerOptions {
  registry?: Registry;
  /** Serve HTTPS with this certificate and key (PEM) instead of plain HTTP; `ecdhCurve` as Node's TLS takes it. */
  tls?: { cert: string; key: string; ecdhCurve?: string };
  /** Port to listen on; a free one by default. */
  port?: number;
  /** Serve under this path, e.g. `/iyo`, as a server behind a reverse proxy does. */
  pathPrefix?: string;
}

export interface RunningServer {
  /** e.g. `http://127.0.0.1:41234` */
  url: string;
  port: number;
  /** The ES384 public key (SPKI PEM) that verifies this server's JWTs. */
  publicKey: string;
  registry: Registry;
  /** Every request received, faulted ones included. */
  requests: RequestRecord[];
  /** How many requests reached `path`. */
  count(path?: string): number;
  /** Adds a fault for the next `times` requests to `path` (see faults.ts). */
  inject(rule: FaultRule): void;
  /** Forgets the recorded requests and the faults not yet used. */
  reset(): void;
  /** The server's clock, in milliseconds since the epoch. */
  now(): number;
  /** Moves the server's clock forward, e.g. past a code's 10 seconds. */
  advanceClock(seconds: number): void;
  close(): Promise<void>;
}

/** Credentials in the server's own formats: a 52-character organization secret, 28-character user keys. */
export function demoRegistry(): Registry {
  const secret = (bytes: number): string => randomBytes(bytes).toString("base64url");
  return {
    organizations: [
      {
        globalId: "acme",
        secret: secret(39),
        clientCredentials: true,
        callbackUrl: "https://app.example.com/callback",
      },
      { globalId: "no-client-credentials", secret: secret(39), clientCredentials: false, callbackUrl: "" },
    ],
    userKeys: [
      { applicationId: secret(21), secret: secret(21), username: "alice" },
      // An older key with several scopes: the server joins them with a space.
      { applicationId: secret(21), secret: secret(21), username: "alice", scopes: ["user:admin", "user:name"] },
    ],
    users: [
      {
        username: "alice",
        name: "Alice Example",
        email: "alice@example.com",
        memberOf: ["acme"],
        grants: ["deployer"],
      },
    ],
    loggedInAs: "alice",
  };
}

/** Reads the body, records the request, then strips a path prefix the way a reverse proxy would. */
function recording(requests: RequestRecord[], prefix: string | undefined, handler: BodyHandler): RequestListener {
  return (request, response) => {
    const chunks: Buffer[] = [];
    request.on("data", (chunk: Buffer) => chunks.push(chunk));
    request.on("end", () => {
      const body = Buffer.concat(chunks).toString();
      const url = new URL(request.url ?? "/", "http://localhost");
      requests.push({
        method: request.method ?? "",
        path: url.pathname,
        query: url.search,
        headers: { ...request.headers },
        body,
      });
      if (prefix) {
        if (!url.pathname.startsWith(`${prefix}/`)) return response.writeHead(404, { "content-length": "0" }).end();
        request.url = (request.url ?? "/").slice(prefix.length);
        requests[requests.length - 1].path = url.pathname.slice(prefix.length);
      }
      handler(request, response, body);
    });
  };
}

export async function startServer(options: ServerOptions = {}): Promise<RunningServer> {
  const registry = options.registry ?? demoRegistry();
  const state = createState();
  const faults: FaultRule[] = [];
  const requests: RequestRecord[] = [];
  const handler = recording(requests, options.pathPrefix, withFaults(createItsYouHandler(registry, state), faults));
  const server = options.tls ? createHttpsServer(options.tls, handler) : createHttpServer(handler);
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(options.port ?? 0, "127.0.0.1", () => resolve());
  });
  const port = (server.address() as AddressInfo).port;
  return {
    url: `${options.tls ? "https" : "http"}://127.0.0.1:${port}`,
    port,
    publicKey: state.publicKey,
    registry,
    requests,
    count: (path) => requests.filter((request) => path === undefined || request.path === path).length,
    inject: (rule) => void faults.push({ ...rule }),
    reset: () => {
      requests.length = 0;
      faults.length = 0;
    },
    now: () => Date.now() + state.clockOffset,
    advanceClock: (seconds) => void (state.clockOffset += seconds * 1000),
    close: () =>
      new Promise((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}
