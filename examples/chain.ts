/**
 * A service that calls the next one on the user's behalf (delegation), on Node (`node:http`): it verifies the
 * caller's JWT as the other examples do, derives a short JWT for the next service's audience and scopes, calls it,
 * and answers 200 with both services' answers. A failure past it is this service's own answer, never the next
 * service's body: 502 when the next service refuses or fails (any status but 2xx), 504 when it does not answer
 * within NEXT_TIMEOUT, 503 when it or ItsYou.online cannot be reached. Details go to the log, never to the caller.
 *
 *   AUDIENCE=orders-api SCOPE=user:name NEXT_URL=https://billing.example.com/ NEXT_AUDIENCE=billing-api \
 *     NEXT_SCOPE=user:name node examples/chain.ts
 *
 * Environment: AUDIENCE and SCOPE (this service's, comma-separated), NEXT_URL and NEXT_AUDIENCE, all required;
 * NEXT_SCOPE (the scopes to ask the next service's JWT for; none by default), NEXT_TIMEOUT (ms, 10000),
 * PUBLIC_KEY and ITSYOU_BASE_URL (a self-hosted server's key and root), PORT (8000).
 *
 * Deriving needs the caller's refreshable JWT, which whoever holds it can renew for 30 days: only the service that
 * derives (your own backend) should receive one. Services past it get derived JWTs: short, never refreshable, and
 * unable to prove membership (verifyJwt refuses `user:memberof:` from them).
 *
 * Node 22.18+ runs this file as it is. Copied into a project, import from "@itsyou/token" instead of "../mod.ts".
 */
import { createServer } from "node:http";
import { deriveJwt, ItsYouOnlineError, verifyRequest } from "../mod.ts";

const env = (name: string): string | undefined => process.env[name] || undefined;
const [audience, scope, nextUrl, nextAudience] = ["AUDIENCE", "SCOPE", "NEXT_URL", "NEXT_AUDIENCE"].map(env);
if (!audience || !scope || !nextUrl || !nextAudience) {
  console.error("set AUDIENCE and SCOPE (this service's), NEXT_URL and NEXT_AUDIENCE (the service it calls)");
  process.exit(2);
}
const options = { audience, scope: scope.split(","), publicKey: env("PUBLIC_KEY") };
const derive = { audience: nextAudience, scope: env("NEXT_SCOPE"), baseUrl: env("ITSYOU_BASE_URL") };
const nextTimeout = Number(env("NEXT_TIMEOUT") ?? 10_000);

/** This service's answer: a status and a JSON body. */
type Answer = [status: number, body: unknown, headers?: Record<string, string>];

async function handle(authorization: string | undefined): Promise<Answer> {
  const auth = await verifyRequest(authorization, options);
  if (!auth.ok) return [auth.status, auth.body, auth.headers];
  const subject = auth.claims.username ?? auth.claims.globalid;
  let forNext: string;
  try {
    forNext = await deriveJwt(authorization!.trim().split(/ +/)[1], derive);
  } catch (error) {
    if (!(error instanceof ItsYouOnlineError)) throw error;
    console.error(`deriving a JWT for ${nextAudience} failed: ${error.message}`);
    // Not a JWT ItsYou.online derives from (an organization's, or not refreshable): the message says why.
    if (error.code === "INVALID_ARGUMENT") {
      return [403, { error: "insufficient_scope", error_description: error.message }];
    }
    // Expired within verifyRequest's tolerance, or refused by ItsYou.online (revoked).
    if (error.code.startsWith("JWT_") || (error.code === "HTTP_ERROR" && error.status! < 500)) {
      const description = "ItsYou.online refused this JWT (expired or revoked); get a new one";
      return [401, { error: "invalid_token", error_description: description }, {
        "www-authenticate": `Bearer error="invalid_token", error_description="${description}"`,
      }];
    }
    return [503, { error: "ItsYou.online is unavailable; try again later" }];
  }
  let response: Response;
  try {
    response = await fetch(nextUrl!, {
      headers: { authorization: `Bearer ${forNext}` },
      signal: AbortSignal.timeout(nextTimeout),
    });
  } catch (error) {
    const timedOut = error instanceof Error && error.name === "TimeoutError";
    console.error(`calling ${nextAudience} failed: ${error instanceof Error ? error.message : error}`);
    return timedOut
      ? [504, { error: `${nextAudience} did not answer in time; try again later` }]
      : [503, { error: `${nextAudience} is unavailable; try again later` }];
  }
  if (!response.ok) {
    await response.body?.cancel();
    console.error(`${nextAudience} answered HTTP ${response.status}`);
    return [502, { error: `${nextAudience} refused or failed the call (HTTP ${response.status})` }];
  }
  return [200, { subject, next: await response.json() }];
}

const server = createServer((request, response) => {
  handle(request.headers.authorization).then(
    ([status, body, headers]) =>
      response.writeHead(status, { ...headers, "content-type": "application/json" }).end(JSON.stringify(body)),
    (error) => {
      console.error(error);
      response.writeHead(500).end();
    },
  );
});
server.listen(Number(env("PORT") ?? 8000), "127.0.0.1", () => {
  console.log(`listening on http://127.0.0.1:${(server.address() as { port: number }).port}`);
});
