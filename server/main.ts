/**
 * Runs the local server until stopped:
 *   node server/main.ts [--port N] [--write FILE] [--cert PEM --key PEM]
 * It prints (or writes to FILE) a JSON object with the URL, the public key and
 * the generated credentials, so a workflow or a shell can use it. With --cert
 * and --key it serves HTTPS.
 */
import { readFileSync, writeFileSync } from "node:fs";
import { parseArgs } from "node:util";
import { startServer } from "./serve.ts";

const { values } = parseArgs({
  options: { port: { type: "string" }, write: { type: "string" }, cert: { type: "string" }, key: { type: "string" } },
});
const tls = values.cert && values.key
  ? { cert: readFileSync(values.cert, "utf8"), key: readFileSync(values.key, "utf8") }
  : undefined;
const server = await startServer({ port: values.port ? Number(values.port) : undefined, tls });
const [org] = server.registry.organizations;
const [userKey] = server.registry.userKeys;
const description = JSON.stringify(
  {
    url: server.url,
    publicKey: server.publicKey,
    org: { clientId: org.globalId, clientSecret: org.secret },
    user: { clientId: userKey.applicationId, clientSecret: userKey.secret, username: userKey.username },
  },
  null,
  2,
);
if (values.write) writeFileSync(values.write, description);
else console.log(description);
const stop = (): void => void server.close().then(() => process.exit(0));
process.on("SIGINT", stop);
process.on("SIGTERM", stop);
