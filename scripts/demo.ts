/**
 * `npm start`: starts the local ItsYou.online-compatible server, runs
 * dist/index.js against it exactly as a workflow step would, prints the step's
 * log as the runner shows it (masked values as ***) and its outputs, and checks
 * the JWT with verifyJwt() against the server's key.
 */
import { startServer } from "../server/serve.ts";
import { runAction } from "../harness/runner.ts";
import { verifyJwt } from "../mod.ts";

const server = await startServer();
const [org] = server.registry.organizations;
console.log(`Local ItsYou.online-compatible server: ${server.url} (organization ${org.globalId})\n`);
const inputs = {
  "client-id": org.globalId,
  "client-secret": org.secret,
  "base-url": server.url,
  audience: "deploy",
  validity: "900",
};
console.log("Step: uses: ./  with:");
for (const [name, value] of Object.entries(inputs)) {
  console.log(`  ${name}: ${name === "client-secret" ? "${{ secrets.ITSYOU_CLIENT_SECRET }}" : value}`);
}

const run = await runAction(inputs);
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
await server.close();
process.exit(ok ? 0 : 1);
