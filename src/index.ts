/**
 * What the runner runs (dist/index.js). The process ends by itself once stdout is written: no process.exit()
 * drops lines that a slow reader of the log has not taken yet.
 */
import { checkRunnerEnvironment, run } from "./main.ts";

await run(checkRunnerEnvironment);
// A proxy that never answers CONNECT leaves a socket that @actions/http-client's tunnel agent keeps to itself;
// once stdout has drained, nothing is left to wait for.
setTimeout(() => {
  if (process.stdout.writableLength === 0) process.exit();
  process.stdout.once("drain", () => process.exit());
}, 1000).unref();
