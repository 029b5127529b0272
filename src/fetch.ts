/**
 * A `fetch` for mod.ts built on Node's http client and the agent that
 * `@actions/http-client` picks, so runners behind a proxy work: it honours
 * HTTPS_PROXY, HTTP_PROXY and NO_PROXY (Node's global fetch ignores them).
 * It loads neither Node's global fetch (undici) nor web streams, which would
 * add to the action's cold start (see bench/).
 */
import { Agent as HttpAgent, request as httpRequest } from "node:http";
import type { IncomingMessage } from "node:http";
import { Agent as HttpsAgent, request as httpsRequest } from "node:https";
import { ItsYouOnlineError } from "../mod.ts";
import type { FetchBody, FetchFunction, FetchResponse } from "../mod.ts";

/** The proxy variables `@actions/http-client` reads (lower case first). */
export const PROXY_VARIABLES = ["https_proxy", "HTTPS_PROXY", "http_proxy", "HTTP_PROXY"] as const;

/**
 * Checks the proxy variables before any request, so that a value the action
 * accepts is one `@actions/http-client` uses as meant, and writes back each in
 * the form it reads:
 * - `host:port` without a scheme means `http://host:port`, as curl reads it;
 * - a blank (whitespace-only) variable is removed, so that, as for an empty one,
 *   `@actions/http-client` reads the other spelling (`https_proxy` is read
 *   before `HTTPS_PROXY`);
 * - refused, with an error naming the variable, never its value (it may hold a
 *   password): a value that is not a URL, a scheme other than http: and
 *   https: (socks5:), a path, query or fragment, a user name or password with a
 *   `%` that does not start a percent-escape (`@actions/http-client` would then
 *   silently connect without the proxy), and an IPv6 address (which its tunnel
 *   cannot connect to).
 */
export function checkProxyEnvironment(env: Record<string, string | undefined>): void {
  for (const name of PROXY_VARIABLES) {
    if (env[name] === undefined) continue;
    const value = env[name]!.trim();
    if (!value) {
      delete env[name];
      continue;
    }
    const refuse = (message: string): never => {
      throw new ItsYouOnlineError("INVALID_ARGUMENT", message);
    };
    const notAProxy = `The environment variable ${name} is not a proxy URL; set it to http://host:port (or unset it).`;
    const withScheme = /^[a-z][a-z\d+.-]*:\/\//i.test(value) ? value : `http://${value}`;
    let url: URL;
    try {
      url = new URL(withScheme);
    } catch {
      return refuse(notAProxy);
    }
    if (url.protocol !== "http:" && url.protocol !== "https:") {
      refuse(
        `The environment variable ${name} names a ${
          url.protocol.slice(0, -1)
        } proxy, which the action cannot use; set it to an http:// or https:// proxy (or unset it).`,
      );
    }
    if (!url.hostname || url.search || url.hash || (url.pathname !== "/" && url.pathname !== "")) refuse(notAProxy);
    try {
      decodeURIComponent(url.username);
      decodeURIComponent(url.password);
    } catch {
      refuse(
        `The environment variable ${name} has a user name or password with a % that does not start a percent-escape; write a literal % as %25 (the action would otherwise connect without the proxy).`,
      );
    }
    if (url.hostname.startsWith("[")) {
      refuse(
        `The environment variable ${name} names its proxy by an IPv6 address, which the action's proxy support cannot connect to; use a host name or an IPv4 address.`,
      );
    }
    env[name] = withScheme;
  }
}

/**
 * The agent for a URL, and a `close` that ends its connections. keepAlive: sequential requests (the code flow's
 * exchange, then its JWT) share one connection and one TLS handshake. Without a proxy variable, Node's own
 * agents; with one, `@actions/http-client`'s (proxy, NO_PROXY, tunnel), a chunk of its own in dist/ loaded only
 * then: it and `undici`, which it imports, would be most of the action's start.
 */
function agents(): { agentFor(url: URL): Promise<HttpAgent>; close(): void } {
  if (!PROXY_VARIABLES.some((name) => process.env[name]?.trim())) {
    const direct = { "https:": new HttpsAgent({ keepAlive: true }), "http:": new HttpAgent({ keepAlive: true }) };
    return {
      agentFor: (url) => Promise.resolve(url.protocol === "https:" ? direct["https:"] : direct["http:"]),
      close: () => Object.values(direct).forEach((agent) => agent.destroy()),
    };
  }
  ignoreBufferDeprecation();
  const client = import("@actions/http-client")
    .then(({ HttpClient }) => new HttpClient("itsyou-token-action", undefined, { keepAlive: true }));
  return {
    agentFor: async (url) => (await client).getAgent(url.href),
    close: () => void client.then((loaded) => loaded.dispose(), () => {}),
  };
}

/**
 * The tunnel agent bundled with `@actions/http-client` builds a proxy's credentials with `new Buffer()`, and Node
 * warns (DEP0005) about any code outside node_modules that does, which a bundle is. That warning, and only it,
 * says nothing the user can act on: it is not printed.
 */
function ignoreBufferDeprecation(): void {
  const emitWarning = process.emitWarning;
  process.emitWarning = ((warning: string | Error, ...rest: unknown[]) => {
    const code = typeof rest[0] === "object" ? (rest[0] as { code?: string } | null)?.code : rest[1];
    if (code === "DEP0005") return;
    return (emitWarning as (...args: unknown[]) => void).call(process, warning, ...rest);
  }) as typeof process.emitWarning;
}

/** The action's `fetch`, and `close()` to end its kept-alive connections when the step is done. */
export interface ProxyAwareFetch {
  fetch: FetchFunction;
  close(): void;
}

/** `onResponse` sees each answer's method, path and status, for the step's debug log. */
export function createProxyAwareFetch(onResponse: (line: string) => void): ProxyAwareFetch {
  const { agentFor, close } = agents();
  const fetch: FetchFunction = async (input, init) => {
    const url = new URL(input);
    const agent = await agentFor(url);
    return new Promise<FetchResponse>((resolve, reject) => {
      let answered = false;
      const send = url.protocol === "https:" ? httpsRequest : httpRequest;
      const request = send(url, {
        method: init.method,
        headers: { ...init.headers, "content-length": String(Buffer.byteLength(init.body)) },
        agent,
        signal: init.signal,
      }, (message) => {
        answered = true;
        onResponse(`${init.method} ${url.pathname} → HTTP ${message.statusCode}`);
        resolve({
          status: message.statusCode ?? 0,
          headers: { get: (name) => headerValue(message.headers[name.toLowerCase()]) },
          body: bodyOf(message),
        });
      });
      request.on("error", (error) => {
        // After an abort, the socket's own error (a reset) is an echo of it, not news.
        if (init.signal.aborted) return;
        onResponse(`${init.method} ${url.pathname} → ${(error as NodeJS.ErrnoException).code ?? error.name}`);
        reject(error);
      });
      // Settle at once on abort: a request still waiting for a proxy's CONNECT answer emits nothing when destroyed.
      init.signal.addEventListener("abort", () => {
        if (!answered) onResponse(`${init.method} ${url.pathname} → aborted`);
        request.destroy();
        reject(init.signal.reason);
      }, { once: true });
      request.end(init.body);
    });
  };
  return { fetch, close };
}

/** The body as the chunk reader mod.ts reads; an abort or a reset rejects `read()`. */
function bodyOf(message: IncomingMessage): FetchBody {
  const chunks = message[Symbol.asyncIterator]();
  const cancel = (): Promise<void> => {
    message.destroy();
    return Promise.resolve();
  };
  return {
    getReader: () => ({
      read: async () => {
        const { done, value } = await chunks.next();
        return done ? { done: true } : { done: false, value: value as Uint8Array };
      },
      cancel,
    }),
    cancel,
  };
}

function headerValue(value: string | string[] | undefined): string | null {
  if (value === undefined) return null;
  return Array.isArray(value) ? value.join(", ") : value;
}
