/**
 * What the runner runs (dist/index.js). The process ends by itself once stdout is written: no process.exit()
 * drops lines that a slow reader of the log has not taken yet.
 *
 * With `--itsyou-token` first, it is the command line instead, as the launcher the action installs starts it
 * (src/command.ts; cli.ts is a chunk of its own, which the action never loads).
 */
import { COMMAND_FLAG, runCommand } from "./command.ts";
import { checkRunnerEnvironment, run } from "./main.ts";

if (process.argv[2] === COMMAND_FLAG) {
  await runCommand();
} else {
  await run(checkRunnerEnvironment);
  // A proxy that never answers CONNECT leaves a socket that @actions/http-client's tunnel agent keeps to itself;
  // once stdout has drained, nothing is left to wait for.
  setTimeout(() => {
    if (process.stdout.writableLength === 0) process.exit();
    process.stdout.once("drain", () => process.exit());
  }, 1000).unref();
}
