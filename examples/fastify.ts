/**
 * The receiving side on Fastify 5: `GET /` answers 200 with the caller's name when the request carries an
 * ItsYou.online JWT for this service with the scopes it requires, and RFC 6750's answer otherwise.
 *
 *   AUDIENCE=orders-api SCOPE=user:memberof:myorg.staff PORT=8000 node examples/fastify.ts
 *
 * Environment: AUDIENCE (this service's audience) and SCOPE (the scopes it requires, comma-separated), both
 * required; PUBLIC_KEY (a self-hosted server's signing key, PEM; itsyou.online's by default); PORT (8000).
 *
 * Node 22.18+ runs this file as it is (it strips the types). Copied into a project, import from "@itsyou/token"
 * (npm install @itsyou/token fastify) instead of "../mod.ts": that is JavaScript, for Node 20.19+.
 */
import Fastify from "fastify";
import { verifyRequest } from "../mod.ts";

const { AUDIENCE, SCOPE, PUBLIC_KEY, PORT = "8000" } = process.env;
if (!AUDIENCE || !SCOPE) {
  console.error("set AUDIENCE (this service's audience) and SCOPE (the scopes it requires, e.g. user:name)");
  process.exit(2);
}
const options = { audience: AUDIENCE, scope: SCOPE.split(","), publicKey: PUBLIC_KEY || undefined };

const app = Fastify();
app.get("/", async (request, reply) => {
  const auth = await verifyRequest(request.headers.authorization, options);
  if (!auth.ok) return reply.code(auth.status).headers(auth.headers).send(auth.body);
  return { subject: auth.claims.username ?? auth.claims.globalid };
});
console.log(`listening on ${await app.listen({ port: Number(PORT), host: "127.0.0.1" })}`);
