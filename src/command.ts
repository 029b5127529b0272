/**
 * `itsyou-token` in the steps after the action: the command line (cli.ts) of this very commit, started by the
 * launcher the action puts on the job's PATH (src/launcher.ts) as `node dist/index.js --itsyou-token [flags]`.
 * Its requests go through the action's own transport (src/fetch.ts), so they honour the proxy variables as the
 * action's step did, and a private CA through NODE_EXTRA_CA_CERTS, which the launcher carries.
 */
import type { ItsYouOnlineError } from "../mod.ts";
import { checkProxyEnvironment, createProxyAwareFetch } from "./fetch.ts";

/** The first argument that makes dist/index.js the command line instead of the action. */
export const COMMAND_FLAG = "--itsyou-token";

/** Runs cli.ts with the arguments after {@linkcode COMMAND_FLAG}, its requests through the action's transport. */
export async function runCommand(): Promise<void> {
  process.argv.splice(2, 1);
  try {
    checkProxyEnvironment(process.env);
  } catch (error) {
    // Its message names the variable, never its value.
    process.stderr.write(`itsyou: ${(error as ItsYouOnlineError).code}: ${(error as Error).message}\n`);
    process.exitCode = 1;
    return;
  }
  const transport = createProxyAwareFetch(() => {});
  // This process exists only to run cli.ts, which calls mod.ts with the global fetch: the action's transport is it.
  globalThis.fetch = transport.fetch as unknown as typeof globalThis.fetch;
  try {
    await import("../cli.ts");
  } finally {
    transport.close();
  }
}
