/**
 * The receiving side on Bun (`Bun.serve`): `GET /` answers 200 with the caller's name when the request carries
 * an ItsYou.online JWT for this service with the scopes it requires, and RFC 6750's answer otherwise.
 *
 *   AUDIENCE=orders-api SCOPE=user:memberof:myorg.staff bun examples/bun-service.ts
 *
 * Environment: AUDIENCE (this service's audience) and SCOPE (the scopes it requires, comma-separated), both
 * required; PUBLIC_KEY (a self-hosted server's signing key, PEM; itsyou.online's by default); PORT (8000).
 * Bun 1.2+. Copied into a project, import from "@itsyou/token" (bun add @itsyou/token) instead of "../mod.ts".
 */
import { verifyRequest } from "../mod.ts";

declare const Bun: {
  serve(options: {
    port: number;
    hostname: string;
    fetch(request: Request): Promise<Response> | Response;
  }): { url: URL };
};

const { AUDIENCE, SCOPE, PUBLIC_KEY, PORT = "8000" } = process.env;
if (!AUDIENCE || !SCOPE) {
  console.error("set AUDIENCE (this service's audience) and SCOPE (the scopes it requires, e.g. user:name)");
  process.exit(2);
}
const options = { audience: AUDIENCE, scope: SCOPE.split(","), publicKey: PUBLIC_KEY || undefined };

const server = Bun.serve({
  port: Number(PORT),
  hostname: "127.0.0.1",
  fetch: async (request) => {
    if (new URL(request.url).pathname !== "/") return new Response("Not Found", { status: 404 });
    const auth = await verifyRequest(request, options);
    if (!auth.ok) return Response.json(auth.body, auth);
    return Response.json({ subject: auth.claims.username ?? auth.claims.globalid });
  },
});
console.log(`listening on ${server.url.origin}`);
