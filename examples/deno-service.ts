/**
 * The receiving side on Deno (`Deno.serve`): `GET /` answers 200 with the caller's name when the request carries
 * an ItsYou.online JWT for this service with the scopes it requires, and RFC 6750's answer otherwise.
 *
 *   AUDIENCE=orders-api SCOPE=user:memberof:myorg.staff deno run --allow-net --allow-env examples/deno-service.ts
 *
 * Environment: AUDIENCE (this service's audience) and SCOPE (the scopes it requires, comma-separated), both
 * required; PUBLIC_KEY (a self-hosted server's signing key, PEM; itsyou.online's by default); PORT (8000).
 * Deno 2. Copied into a project, import from "jsr:@itsyou/token@^1" instead of "../mod.ts".
 */
import { verifyRequest } from "../mod.ts";

const env = (name: string): string | undefined => Deno.env.get(name) || undefined;
const [audience, scope] = [env("AUDIENCE"), env("SCOPE")];
if (!audience || !scope) {
  console.error("set AUDIENCE (this service's audience) and SCOPE (the scopes it requires, e.g. user:name)");
  Deno.exit(2);
}
const options = { audience, scope: scope.split(","), publicKey: env("PUBLIC_KEY") };

Deno.serve({
  port: Number(env("PORT") ?? 8000),
  hostname: "127.0.0.1",
  onListen: ({ port }) => console.log(`listening on http://127.0.0.1:${port}`),
}, async (request) => {
  if (new URL(request.url).pathname !== "/") return new Response("Not Found", { status: 404 });
  const auth = await verifyRequest(request, options);
  if (!auth.ok) return Response.json(auth.body, auth);
  return Response.json({ subject: auth.claims.username ?? auth.claims.globalid });
});
