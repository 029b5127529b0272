/**
 * `npm start`: starts the local ItsYou.online-compatible server, runs
 * dist/index.js against it exactly as a workflow step would, prints the step's
 * log as the runner shows it (masked values as ***) and its outputs, checks
 * the JWT with verifyJwt() against the server's key, then runs a later step of
 * the same job that renews the JWT with the itsyou-token command the action put
 * on the job's PATH.
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { startServer } from "../server/serve.ts";
import { laterStepEnvironment, runAction, runLaterStep } from "../harness/runner.ts";
import { decodeJwt, verifyJwt } from "../mod.ts";

const server = await startServer();
const [org] = server.registry.organizations;
console.log(`Local ItsYou.online-compatible server: ${server.url} (organization ${org.globalId})\n`);
const inputs = {
  "client-id": org.globalId,
  "client-secret": org.secret,
  "base-url": server.url,
  audience: "deploy",
  validity: "900",
  refreshable: "true",
};
console.log("Step: uses: ./  with:");
for (const [name, value] of Object.entries(inputs)) {
  console.log(`  ${name}: ${name === "client-secret" ? "${{ secrets.ITSYOU_CLIENT_SECRET }}" : value}`);
}

const job = mkdtempSync(join(tmpdir(), "itsyou-demo-job-"));
const run = await runAction(inputs, {}, job);
// The runner hides every value announced with ::add-mask:: from the log.
const masked = run.stdout.split("\n").filter((line) => line.startsWith("::add-mask::")).map((line) => line.slice(12));
const hide = (text: string): string => masked.reduce((result, secret) => result.split(secret).join("***"), text);
console.log("\nStep log, as the runner shows it:");
for (const line of `${run.stdout}${run.stderr}`.split("\n")) {
  // The runner hides ::debug:: lines unless step debug logging is on.
  if (line && !line.startsWith("::add-mask::") && !line.startsWith("::debug::")) console.log(`  ${hide(line)}`);
}
console.log(`\nExit status ${run.status}. Outputs (masked in logs, usable by later steps):`);
for (const [name, value] of Object.entries(run.outputs)) console.log(`  steps.token.outputs.${name} = ${hide(value)}`);

let ok = run.status === 0;
if (ok) {
  const claims = await verifyJwt(run.outputs.jwt, { publicKey: server.publicKey, audience: "deploy" });
  console.log(
    `\nverifyJwt() accepts the JWT with the server's key: globalid=${claims.globalid}, aud=${
      JSON.stringify(claims.aud)
    }, exp=${new Date(claims.exp! * 1000).toISOString()}`,
  );
  ok = claims.globalid === org.globalId;
}
if (ok) {
  console.log("\nA later step of the job, with only ITSYOU_JWT from the step's output:");
  console.log('  run: JWT=$(itsyou-token --refresh --validity 300); echo "::add-mask::$JWT"');
  const env = { ...laterStepEnvironment(run, { PATH: process.env.PATH ?? "" }), ITSYOU_JWT: run.outputs.jwt };
  const step = await runLaterStep("itsyou-token --refresh --validity 300", env);
  const renewed = step.stdout.trim();
  ok = step.status === 0 && decodeJwt(renewed).refresh_token === decodeJwt(run.outputs.jwt).refresh_token;
  console.log(
    ok
      ? `  renewed at ${server.url} (the action's server, no settings repeated): exp=${
        new Date(decodeJwt(renewed).exp! * 1000).toISOString()
      }`
      : `  failed (exit ${step.status}): ${step.stderr.trim()}`,
  );
}
rmSync(job, { recursive: true, force: true });
await server.close();
process.exit(ok ? 0 : 1);
