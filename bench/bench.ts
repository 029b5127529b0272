/**
 * `npm run bench`: runs each part of the benchmark against the local server and writes bench/results.json and
 * bench/results.md (the tables the README links to). Exits 1 when a budget fails.
 *
 *   cold-start.ts  the action's cold start against its floors (HTTP, HTTPS), its first connection, Deno's start
 *   peers.ts       whole processes over HTTPS at 0, 50 and 100 ms of round trip: the action, the CLI, the library
 *                  and what a user would run instead (curl, the official Go client)
 *   library.ts     requests per flow, a cold token source under 1 to 1000 callers, the cost of more scopes
 *   renewal.ts     renewing a refreshable JWT in a job: the action's itsyou-token command against npx
 *
 * Each timing is the median of RUNS runs (BENCH_RUNS; BENCH_NETWORK_RUNS for the peers); the programs of a
 * comparison run interleaved, after one warm-up run each.
 */
import { mkdirSync, rmSync, writeFileSync } from "node:fs";
import { cpus, platform, release, totalmem } from "node:os";
import { join } from "node:path";
import { makeCertificates } from "../harness/tls.ts";
import { measureColdStart } from "./cold-start.ts";
import { measureLibrary } from "./library.ts";
import { failures, root, round, RUNS, tmp } from "./measure.ts";
import { measurePeers } from "./peers.ts";
import { measureRenewal } from "./renewal.ts";

rmSync(tmp, { recursive: true, force: true });
mkdirSync(tmp, { recursive: true });
const certificates = makeCertificates();

const coldStart = await measureColdStart(certificates);
const peers = await measurePeers(certificates);
const library = await measureLibrary();
const renewal = await measureRenewal();

const machine = {
  cpu: cpus()[0]?.model ?? "unknown",
  cores: cpus().length,
  memoryGiB: round(totalmem() / 2 ** 30, 0),
  os: `${platform()} ${release()}`,
};
const results = {
  date: new Date().toISOString(),
  runs: RUNS,
  machine,
  ...coldStart.results,
  ...peers.results,
  ...library.results,
  ...renewal.results,
  failures,
};
writeFileSync(join(root, "bench/results.json"), `${JSON.stringify(results, null, 2)}\n`);

const lines = [
  `Machine: ${machine.cpu}, ${machine.cores} cores, ${machine.memoryGiB} GiB, ${machine.os}. Medians of ${RUNS} interleaved runs.`,
  ...[coldStart, peers, library, renewal].flatMap((part) => ["", ...part.lines]),
];
writeFileSync(join(root, "bench/results.md"), `${lines.join("\n")}\n`);
console.log(`\n${lines.join("\n")}\n`);
if (failures.length > 0) {
  console.log(`Budgets failed:\n- ${failures.join("\n- ")}`);
  process.exit(1);
}
console.log("All budgets hold.");
rmSync(tmp, { recursive: true, force: true });
