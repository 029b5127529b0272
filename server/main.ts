/**
 * Runs the local server until stopped:
 *   node server/main.ts [--port N] [--write FILE]
 * It prints (or writes to FILE) a JSON object with the URL, the public key and
 * the generated credentials, so a workflow or a shell can use it.
 */
import { writeFileSync } from "node:fs";
import { parseArgs } from "node:util";
import { startServer } from "./serve.ts";

const { values } = parseArgs({ options: { port: { type: "string" }, write: { type: "string" } } });
const server = await startServer({ port: values.port ? Number(values.port) : undefined });
const [org] = server.registry.organizations;
const [userKey] = server.registry.userKeys;
const description = JSON.stringify({
  url: server.url,
  publicKey: server.publicKey,
  org: { clientId: org.globalId, clientSecret: org.secret },
  user: { clientId: userKey.applicationId, clientSecret: userKey.secret, username: userKey.username },
}, null, 2);
if (values.write) writeFileSync(values.write, description);
else console.log(description);
const stop = (): void => void server.close().then(() => process.exit(0));
process.on("SIGINT", stop);
process.on("SIGTERM", stop);
