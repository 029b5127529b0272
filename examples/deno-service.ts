/**
 * A service that receives a user's ItsYou.online JWT, on Deno (`Deno.serve`).
 *
 * It takes `Authorization: bearer <jwt>`, verifies the JWT (signature, issuer,
 * expiry, its audience and the scopes it requires), answers 401 or 403 with
 * a short reason, and, when it has a next service to call, derives a short JWT
 * for that service's audience (delegation) and calls it on the user's behalf.
 * ItsYou.online being unreachable is a 503; the details go to the log, never to
 * the caller.
 *
 *   AUDIENCE=orders-api SCOPE=user:memberof:myorg NEXT_URL=https://billing.example.com NEXT_AUDIENCE=billing-api \
 *     deno run --allow-net --allow-env examples/deno-service.ts
 *
 * Environment: AUDIENCE (this service's audience) and SCOPE (the scopes it requires, comma-separated), both
 * required; PUBLIC_KEY (the signing key's PEM, for a self-hosted server; itsyou.online's by default),
 * ITSYOU_BASE_URL (the server to derive from), NEXT_URL and NEXT_AUDIENCE (optional), NEXT_TIMEOUT (milliseconds,
 * default 10000), PORT (default 8000).
 *
 * Deriving needs the caller's refreshable JWT, which whoever holds it can renew for 30 days: only the
 * service that derives (your own backend) should receive one. Services past it get derived JWTs, which
 * are short, never refreshable, and cannot prove membership (verifyJwt refuses `user:memberof:` from them).
 *
 * Copy it and import from "jsr:@itsyou/token" instead of "../mod.ts".
 */
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

/** A handler for `Deno.serve`: the request's JWT checked, then this service's work. */
export function createHandler(config: ServiceConfig): (request: Request) => Promise<Response> {
  if (!config.audience || config.scope.filter(Boolean).length === 0) {
    throw new Error("set the audience and the scopes this service requires (AUDIENCE, SCOPE)");
  }
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
    // On the user's behalf: a short JWT for the next service, never outliving the one received.
    let forNext: string;
    try {
      forNext = await deriveJwt(jwt, { audience: config.next.audience, scope: config.scope, baseUrl: config.baseUrl });
    } catch (error) {
      if (!(error instanceof ItsYouOnlineError)) throw error;
      // This JWT cannot be delegated (not refreshable, say): the message says why.
      if (error.code === "INVALID_ARGUMENT") return deny(403, error.message);
      // Expired (within verifyJwt's tolerance), or refused by ItsYou.online.
      if (error.code.startsWith("JWT_") || (error.code === "HTTP_ERROR" && error.status! < 500)) {
        return deny(401, "ItsYou.online refused this JWT (expired or revoked); get a new one");
      }
      console.error(`deriving a JWT for ${config.next.audience} failed: ${error.message}`);
      return deny(503, "ItsYou.online is unavailable; try again later");
    }
    try {
      const answer = await fetch(config.next.url, {
        headers: { authorization: `bearer ${forNext}` },
        signal: AbortSignal.timeout(config.nextTimeout ?? 10_000),
      });
      const body = await answer.json();
      return Response.json({ service: config.audience, user: username, next: { status: answer.status, body } });
    } catch (error) {
      console.error(`calling ${config.next.audience} failed: ${error instanceof Error ? error.message : error}`);
      return deny(503, `${config.next.audience} is unavailable; try again later`);
    }
  };
}

function deny(status: number, reason: string): Response {
  const headers: Record<string, string> = status === 401 ? { "www-authenticate": 'Bearer realm="itsyou.online"' } : {};
  return Response.json({ error: reason }, { status, headers });
}

if (import.meta.main) {
  const env = (name: string): string | undefined => Deno.env.get(name) || undefined;
  const [audience, scope] = [env("AUDIENCE"), env("SCOPE")];
  if (!audience || !scope) {
    console.error(
      "set AUDIENCE (this service's audience) and SCOPE (the scopes it requires, e.g. user:memberof:myorg)",
    );
    Deno.exit(2);
  }
  const handler = createHandler({
    audience,
    scope: scope.split(","),
    publicKey: env("PUBLIC_KEY"),
    baseUrl: env("ITSYOU_BASE_URL"),
    next: env("NEXT_URL") ? { url: env("NEXT_URL")!, audience: env("NEXT_AUDIENCE") ?? "" } : undefined,
    nextTimeout: env("NEXT_TIMEOUT") ? Number(env("NEXT_TIMEOUT")) : undefined,
  });
  Deno.serve({
    hostname: "127.0.0.1",
    port: Number(env("PORT") ?? 8000),
    onListen: ({ hostname, port }) => console.log(`listening on http://${hostname}:${port}`),
  }, handler);
}
