/**
 * The receiving side on Express 5: `GET /` answers 200 with the caller's name when the request carries an
 * ItsYou.online JWT for this service with the scopes it requires, and RFC 6750's answer otherwise.
 *
 *   AUDIENCE=orders-api SCOPE=user:memberof:myorg.staff PORT=8000 node examples/express.ts
 *
 * Environment: AUDIENCE (this service's audience) and SCOPE (the scopes it requires, comma-separated), both
 * required; PUBLIC_KEY (a self-hosted server's signing key, PEM; itsyou.online's by default); PORT (8000).
 *
 * Node 22.18+ runs this file as it is (it strips the types). Copied into a project, import from "@itsyou/token"
 * (npm install @itsyou/token express) instead of "../mod.ts": that is JavaScript, for Node 20.19+.
 */
import express from "express";
import { verifyRequest } from "../mod.ts";

const { AUDIENCE, SCOPE, PUBLIC_KEY, PORT = "8000" } = process.env;
if (!AUDIENCE || !SCOPE) {
  console.error("set AUDIENCE (this service's audience) and SCOPE (the scopes it requires, e.g. user:name)");
  process.exit(2);
}
const options = { audience: AUDIENCE, scope: SCOPE.split(","), publicKey: PUBLIC_KEY || undefined };

const app = express();
app.get("/", async (request, response) => {
  const auth = await verifyRequest(request.headers.authorization, options);
  if (!auth.ok) return void response.status(auth.status).set(auth.headers).json(auth.body);
  response.json({ subject: auth.claims.username ?? auth.claims.globalid });
});
const server = app.listen(Number(PORT), "127.0.0.1", () => {
  console.log(`listening on http://127.0.0.1:${(server.address() as { port: number }).port}`);
});
