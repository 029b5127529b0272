import { run } from "./main.ts";

await run();
// The step is over. End the process rather than wait for sockets nobody can close: a proxy that never
// answers CONNECT holds one that @actions/http-client's tunnel agent keeps to itself.
process.exit();
