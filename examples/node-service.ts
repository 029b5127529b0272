/**
 * A service that receives a user's ItsYou.online JWT, on Node (`node:http`).
 *
 * It takes `Authorization: bearer <jwt>`, verifies the JWT (signature, issuer,
 * expiry, its audience and the scopes it requires), answers 401 or 403 with
 * a short reason, and, when it has a next service to call, derives a short JWT
 * for that service's audience (delegation) and calls it on the user's behalf.
 * ItsYou.online being unreachable is a 503; the details go to the log, never to
 * the caller.
 *
 *   AUDIENCE=billing-api SCOPE=user:name node examples/node-service.ts
 *
 * Environment as in deno-service.ts: AUDIENCE and SCOPE (required), PUBLIC_KEY, ITSYOU_BASE_URL, NEXT_URL,
 * NEXT_AUDIENCE, NEXT_TIMEOUT, PORT. Only the service that derives should receive a refreshable JWT (see deno-service.ts).
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
  /** The scopes a caller must have, e.g. `["user:memberof:myorg"]`; at least one. */
  scope: string[];
  /** The signing key of a self-hosted server (PEM); itsyou.online's when absent. */
  publicKey?: string;
  /** The ItsYou.online server to derive JWTs from; itsyou.online when absent. */
  baseUrl?: string;
  /** The next service to call on the user's behalf, and its audience. */
  next?: { url: string; audience: string };
  /** How long the next service may take, in milliseconds (default 10 000). */
  nextTimeout?: number;
}

/** A `node:http` request listener: the request's JWT checked, then this service's work. */
export function createListener(
  config: ServiceConfig,
): (request: IncomingMessage, response: ServerResponse) => Promise<void> {
  if (!config.audience || config.scope.filter(Boolean).length === 0) {
    throw new Error("set the audience and the scopes this service requires (AUDIENCE, SCOPE)");
  }
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
    // On the user's behalf: a short JWT for the next service, never outliving the one received.
    let forNext: string;
    try {
      forNext = await deriveJwt(jwt, { audience: config.next.audience, scope: config.scope, baseUrl: config.baseUrl });
    } catch (error) {
      if (!(error instanceof ItsYouOnlineError)) throw error;
      // This JWT cannot be delegated (not refreshable, say): the message says why.
      if (error.code === "INVALID_ARGUMENT") return send(403, { error: error.message });
      // Expired (within verifyJwt's tolerance), or refused by ItsYou.online.
      if (error.code.startsWith("JWT_") || (error.code === "HTTP_ERROR" && error.status! < 500)) {
        return send(401, { error: "ItsYou.online refused this JWT (expired or revoked); get a new one" });
      }
      console.error(`deriving a JWT for ${config.next.audience} failed: ${error.message}`);
      return send(503, { error: "ItsYou.online is unavailable; try again later" });
    }
    try {
      const answer = await fetch(config.next.url, {
        headers: { authorization: `bearer ${forNext}` },
        signal: AbortSignal.timeout(config.nextTimeout ?? 10_000),
      });
      const body = await answer.json();
      send(200, { service: config.audience, user: username, next: { status: answer.status, body } });
    } catch (error) {
      console.error(`calling ${config.next.audience} failed: ${error instanceof Error ? error.message : error}`);
      send(503, { error: `${config.next.audience} is unavailable; try again later` });
    }
  };
}

if (import.meta.main) {
  const env = (name: string): string | undefined => process.env[name] || undefined;
  const [audience, scope] = [env("AUDIENCE"), env("SCOPE")];
  if (!audience || !scope) {
    console.error(
      "set AUDIENCE (this service's audience) and SCOPE (the scopes it requires, e.g. user:memberof:myorg)",
    );
    process.exit(2);
  }
  const listener = createListener({
    audience,
    scope: scope.split(","),
    publicKey: env("PUBLIC_KEY"),
    baseUrl: env("ITSYOU_BASE_URL"),
    next: env("NEXT_URL") ? { url: env("NEXT_URL")!, audience: env("NEXT_AUDIENCE") ?? "" } : undefined,
    nextTimeout: env("NEXT_TIMEOUT") ? Number(env("NEXT_TIMEOUT")) : undefined,
  });
  const server = createServer((request, response) => {
    listener(request, response).catch((error) => {
      console.error(error);
      response.writeHead(500).end();
    });
  });
  server.listen(Number(env("PORT") ?? 8000), "127.0.0.1", () => {
    const address = server.address() as { port: number };
    console.log(`listening on http://127.0.0.1:${address.port}`);
  });
}
