/**
 * The receiving side on Hono 4, served by Node (@hono/node-server): `GET /` answers 200 with the caller's name
 * when the request carries an ItsYou.online JWT for this service with the scopes it requires, and RFC 6750's
 * answer otherwise. On Deno, Bun or a worker, pass `app.fetch` to their server instead.
 *
 *   AUDIENCE=orders-api SCOPE=user:memberof:myorg.staff PORT=8000 node examples/hono.ts
 *
 * Environment: AUDIENCE (this service's audience) and SCOPE (the scopes it requires, comma-separated), both
 * required; PUBLIC_KEY (a self-hosted server's signing key, PEM; itsyou.online's by default); PORT (8000).
 *
 * Node 22.18+ runs this file as it is (it strips the types). Copied into a project, import from "@itsyou/token"
 * (npm install @itsyou/token hono @hono/node-server) instead of "../mod.ts": that is JavaScript, for Node 20.19+.
 */
import { serve } from "@hono/node-server";
import { Hono } from "hono";
import { verifyRequest } from "../mod.ts";

const { AUDIENCE, SCOPE, PUBLIC_KEY, PORT = "8000" } = process.env;
if (!AUDIENCE || !SCOPE) {
  console.error("set AUDIENCE (this service's audience) and SCOPE (the scopes it requires, e.g. user:name)");
  process.exit(2);
}
const options = { audience: AUDIENCE, scope: SCOPE.split(","), publicKey: PUBLIC_KEY || undefined };

const app = new Hono();
app.get("/", async (c) => {
  const auth = await verifyRequest(c.req.raw, options);
  if (!auth.ok) return c.json(auth.body, auth.status, auth.headers);
  return c.json({ subject: auth.claims.username ?? auth.claims.globalid });
});
serve({ fetch: app.fetch, port: Number(PORT), hostname: "127.0.0.1" }, (info) => {
  console.log(`listening on http://127.0.0.1:${info.port}`);
});
