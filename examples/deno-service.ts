/**
 * A service that receives a user's ItsYou.online JWT, on Deno (`Deno.serve`).
 *
 * It takes `Authorization: bearer <jwt>`, verifies the JWT (signature, issuer,
 * expiry, its audience and the scopes it requires), answers 401 or 403 with
 * the reason, and, when it has a next service to call, derives a JWT for that
 * service's audience (delegation) and calls it on the user's behalf.
 *
 *   AUDIENCE=orders-api SCOPE=user:name NEXT_URL=https://billing.example.com NEXT_AUDIENCE=billing-api \
 *     deno run --allow-net --allow-env examples/deno-service.ts
 *
 * Environment: AUDIENCE (this service's audience), SCOPE (the scopes it requires, comma-separated),
 * PUBLIC_KEY (the signing key's PEM, for a self-hosted server; itsyou.online's by default),
 * ITSYOU_BASE_URL (the server to derive from), NEXT_URL and NEXT_AUDIENCE (optional), PORT (default 8000).
 *
 * Copy it and import from "jsr:@itsyou/token" instead of "../mod.ts".
 */
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

/** A handler for `Deno.serve`: the request's JWT checked, then this service's work. */
export function createHandler(config: ServiceConfig): (request: Request) => Promise<Response> {
  return async (request) => {
    const jwt = /^bearer (\S+)$/i.exec(request.headers.get("authorization") ?? "")?.[1];
    if (!jwt) return deny(401, "send Authorization: bearer <an ItsYou.online JWT>");
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
      if (error instanceof ItsYouOnlineError) return deny(error.claim === "scope" ? 403 : 401, error.message);
      throw error;
    }
    if (!config.next) return Response.json({ service: config.audience, user: username });
    // On the user's behalf: a JWT for the next service, never outliving the one received.
    let forNext: string;
    try {
      forNext = await deriveJwt(jwt, { audience: config.next.audience, scope: config.scope, baseUrl: config.baseUrl });
    } catch (error) {
      if (error instanceof ItsYouOnlineError && error.code === "INVALID_ARGUMENT") return deny(403, error.message);
      if (error instanceof ItsYouOnlineError) return deny(502, error.message);
      throw error;
    }
    const answer = await fetch(config.next.url, { headers: { authorization: `bearer ${forNext}` } });
    return Response.json({
      service: config.audience,
      user: username,
      next: { status: answer.status, body: await answer.json() },
    });
  };
}

function deny(status: number, reason: string): Response {
  const headers: Record<string, string> = status === 401 ? { "www-authenticate": 'Bearer realm="itsyou.online"' } : {};
  return Response.json({ error: reason }, { status, headers });
}

if (import.meta.main) {
  const env = (name: string): string | undefined => Deno.env.get(name) || undefined;
  const handler = createHandler({
    audience: env("AUDIENCE") ?? "orders-api",
    scope: (env("SCOPE") ?? "user:name").split(","),
    publicKey: env("PUBLIC_KEY"),
    baseUrl: env("ITSYOU_BASE_URL"),
    next: env("NEXT_URL") ? { url: env("NEXT_URL")!, audience: env("NEXT_AUDIENCE") ?? "" } : undefined,
  });
  Deno.serve({
    hostname: "127.0.0.1",
    port: Number(env("PORT") ?? 8000),
    onListen: ({ hostname, port }) => console.log(`listening on http://${hostname}:${port}`),
  }, handler);
}
