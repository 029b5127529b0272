/**
 * The receiving side as a worker (Cloudflare Workers, workerd): `GET /` answers 200 with the caller's name when
 * the request carries an ItsYou.online JWT for this service with the scopes it requires, and RFC 6750's answer
 * otherwise. Its settings are the worker's variables: AUDIENCE and SCOPE (comma-separated), both required, and
 * PUBLIC_KEY for a self-hosted server.
 *
 *   wrangler dev examples/worker.ts --var AUDIENCE:orders-api --var SCOPE:user:memberof:myorg.staff
 *
 * Copied into a project, import from "@itsyou/token" instead of "../mod.ts" (workerd 2025 or later).
 */
import { verifyRequest } from "../mod.ts";

interface Env {
  AUDIENCE?: string;
  SCOPE?: string;
  PUBLIC_KEY?: string;
}

export default {
  async fetch(request: Request, env: Env): Promise<Response> {
    if (!env.AUDIENCE || !env.SCOPE) throw new Error("set the worker's variables AUDIENCE and SCOPE");
    if (new URL(request.url).pathname !== "/") return new Response("Not Found", { status: 404 });
    const auth = await verifyRequest(request, {
      audience: env.AUDIENCE,
      scope: env.SCOPE.split(","),
      publicKey: env.PUBLIC_KEY || undefined,
    });
    if (!auth.ok) return Response.json(auth.body, auth);
    return Response.json({ subject: auth.claims.username ?? auth.claims.globalid });
  },
};
