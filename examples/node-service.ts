/**
 * A service that receives a user's ItsYou.online JWT, on Node (`node:http`).
 *
 * It takes `Authorization: bearer <jwt>`, verifies the JWT (signature, issuer,
 * expiry, its audience and the scopes it requires), answers 401 or 403 with
 * the reason, and, when it has a next service to call, derives a JWT for that
 * service's audience (delegation) and calls it on the user's behalf.
 *
 *   AUDIENCE=billing-api SCOPE=user:name node examples/node-service.ts
 *
 * Environment as in deno-service.ts: AUDIENCE, SCOPE, PUBLIC_KEY, ITSYOU_BASE_URL, NEXT_URL, NEXT_AUDIENCE, PORT.
 *
 * Copy it and import from "@itsyou/token" (npm install @itsyou/token) instead of "../mod.ts": Node then runs
 * the package's JavaScript, without stripping types from mod.ts first.
 */
import { createServer } from "node:http";
import type { IncomingMessage, ServerResponse } from "node:http";
import { deriveJwt, ItsYouOnlineError, verifyJwt } from "../mod.ts";

export interface ServiceConfig {
  /** This service's audience: a JWT must name it in `aud`. */
  audience: string;
  /** The scopes a caller must have, e.g. `["user:memberof:myorg"]`. */
  scope: string[];
  /** The signing key of a self-hosted server (PEM); itsyou.online's when absent. */
  publicKey?: string;
  /** The ItsYou.online server to derive JWTs from; itsyou.online when absent. */
  baseUrl?: string;
  /** The next service to call on the user's behalf, and its audience. */
  next?: { url: string; audience: string };
}

/** A `node:http` request listener: the request's JWT checked, then this service's work. */
export function createListener(
  config: ServiceConfig,
): (request: IncomingMessage, response: ServerResponse) => Promise<void> {
  return async (request, response) => {
    const send = (status: number, body: unknown): void => {
      const headers: Record<string, string> = { "content-type": "application/json" };
      if (status === 401) headers["www-authenticate"] = 'Bearer realm="itsyou.online"';
      response.writeHead(status, headers).end(JSON.stringify(body));
    };
    const jwt = /^bearer (\S+)$/i.exec(request.headers.authorization ?? "")?.[1];
    if (!jwt) return send(401, { error: "send Authorization: bearer <an ItsYou.online JWT>" });
    let username: string;
    try {
      const claims = await verifyJwt(jwt, {
        audience: config.audience,
        scope: config.scope,
        publicKey: config.publicKey,
      });
      username = claims.username ?? String(claims.globalid);
    } catch (error) {
      // The message never holds the token; a missing scope is a valid caller without permission (403).
      if (error instanceof ItsYouOnlineError) {
        return send(error.claim === "scope" ? 403 : 401, { error: error.message });
      }
      throw error;
    }
    if (!config.next) return send(200, { service: config.audience, user: username });
    // On the user's behalf: a JWT for the next service, never outliving the one received.
    let forNext: string;
    try {
      forNext = await deriveJwt(jwt, { audience: config.next.audience, scope: config.scope, baseUrl: config.baseUrl });
    } catch (error) {
      if (error instanceof ItsYouOnlineError) {
        return send(error.code === "INVALID_ARGUMENT" ? 403 : 502, { error: error.message });
      }
      throw error;
    }
    const answer = await fetch(config.next.url, { headers: { authorization: `bearer ${forNext}` } });
    send(200, { service: config.audience, user: username, next: { status: answer.status, body: await answer.json() } });
  };
}

if (import.meta.main) {
  const env = (name: string): string | undefined => process.env[name] || undefined;
  const listener = createListener({
    audience: env("AUDIENCE") ?? "billing-api",
    scope: (env("SCOPE") ?? "user:name").split(","),
    publicKey: env("PUBLIC_KEY"),
    baseUrl: env("ITSYOU_BASE_URL"),
    next: env("NEXT_URL") ? { url: env("NEXT_URL")!, audience: env("NEXT_AUDIENCE") ?? "" } : undefined,
  });
  const server = createServer((request, response) => {
    listener(request, response).catch(() => response.writeHead(500).end());
  });
  server.listen(Number(env("PORT") ?? 8000), "127.0.0.1", () => {
    const address = server.address() as { port: number };
    console.log(`listening on http://127.0.0.1:${address.port}`);
  });
}
