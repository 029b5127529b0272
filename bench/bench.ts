/**
 * `npm run bench`: cold start, round trips, concurrency, Deno and cost growth,
 * against the local server. Prints a table and writes bench/results.json (and
 * bench/results.md, the table the README shows). Exits 1 when a budget fails.
 *
 * Each timing is the median of RUNS runs; the programs of a comparison run
 * interleaved, after one warm-up run each.
 */
import { execFileSync, spawn, spawnSync } from "node:child_process";
import { generateKeyPairSync, sign } from "node:crypto";
import { existsSync, mkdirSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import { cpus, platform, release, totalmem } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { createTokenSource, decodeJwt, getAccessToken, getJwt, verifyJwt } from "../mod.ts";
import { startServer } from "../server/serve.ts";
import { runnerEnvironment } from "../scripts/runner.ts";

const RUNS = Number(process.env.BENCH_RUNS ?? 15);
const root = fileURLToPath(new URL("..", import.meta.url));
const tmp = join(root, "bench/tmp");
const NODE = join(root, "node_modules/.bin/node");
const DENO = join(root, "node_modules/.bin/deno");
const failures: string[] = [];
const median = (values: number[]): number => {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted.length % 2 ? sorted[sorted.length >> 1] : (sorted[sorted.length / 2 - 1] + sorted[sorted.length / 2]) / 2;
};
const round = (value: number, digits = 2): number => Number(value.toFixed(digits));
function check(ok: boolean, what: string): string {
  if (!ok) failures.push(what);
  return ok ? "ok" : "FAIL";
}

/** Runs each program RUNS times, interleaved, after a warm-up; returns the median wall time in ms of each. */
function timeInterleaved(programs: Record<string, { command: string; args: string[]; env?: NodeJS.ProcessEnv; verify?: () => void }>): Record<string, number> {
  const times: Record<string, number[]> = Object.fromEntries(Object.keys(programs).map((name) => [name, []]));
  for (let run = -1; run < RUNS; run++) {
    for (const [name, program] of Object.entries(programs)) {
      const started = performance.now();
      const result = spawnSync(program.command, program.args, { env: program.env ?? process.env, stdio: ["ignore", "pipe", "pipe"] });
      const elapsed = performance.now() - started;
      if (result.status !== 0) throw new Error(`${name} failed: ${result.stdout}${result.stderr}`);
      program.verify?.();
      if (run >= 0) times[name].push(elapsed);
    }
  }
  return Object.fromEntries(Object.entries(times).map(([name, values]) => [name, round(median(values), 1)]));
}

rmSync(tmp, { recursive: true, force: true });
mkdirSync(tmp, { recursive: true });

// ---------------------------------------------------------------------------
// 1. Action cold start on Node 24: F0 bare node, F1 the floor, A dist/index.js
// ---------------------------------------------------------------------------
console.log("Building the floor fixture (ncc)…");
execFileSync(join(root, "node_modules/.bin/ncc"), ["build", join(root, "bench/fixture/floor.ts"), "-o", join(tmp, "floor"), "--quiet"]);

// The server runs in its own process, so that spawnSync's waiting does not stall it.
const serverFile = join(tmp, "server.json");
const serverProcess = spawn(NODE, [join(root, "server/main.ts"), "--write", serverFile], { stdio: "ignore" });
for (let i = 0; i < 100 && !existsSync(serverFile); i++) await new Promise((resolve) => setTimeout(resolve, 50));
await new Promise((resolve) => setTimeout(resolve, 50));
const server = JSON.parse(readFileSync(serverFile, "utf8"));

const runner = join(tmp, "runner");
mkdirSync(runner);
const actionEnv = runnerEnvironment({ "client-id": server.org.clientId, "client-secret": server.org.clientSecret, "base-url": server.url }, runner);
const resetFiles = (): void => {
  for (const file of [actionEnv.GITHUB_OUTPUT, actionEnv.GITHUB_ENV, actionEnv.GITHUB_STEP_SUMMARY]) writeFileSync(file, "");
};
resetFiles();
const nodeVersion = execFileSync(NODE, ["--version"], { encoding: "utf8" }).trim();
console.log(`Cold start on Node ${nodeVersion}, ${RUNS} interleaved runs each…`);
const cold = timeInterleaved({
  F0: { command: NODE, args: ["-e", ""] },
  F1: { command: NODE, args: [join(tmp, "floor/index.js")], env: actionEnv },
  A: {
    command: NODE,
    args: [join(root, "dist/index.js")],
    env: actionEnv,
    verify: () => {
      const outputs = readFileSync(actionEnv.GITHUB_OUTPUT, "utf8");
      if (!/^jwt<</m.test(outputs) || !/^access-token<</m.test(outputs)) throw new Error("A wrote no access-token or jwt output");
      resetFiles();
    },
  },
});
serverProcess.kill();
const coldStart = {
  runtime: `node ${nodeVersion}`,
  medianMs: cold,
  ratios: { "A/F0": round(cold.A / cold.F0), "F1/F0": round(cold.F1 / cold.F0), "A/F1": round(cold.A / cold.F1) },
  distBytes: statSync(join(root, "dist/index.js")).size,
  floorBytes: statSync(join(tmp, "floor/index.js")).size,
  budget: "A/F1 <= 1.25",
  status: "",
};
coldStart.status = check(coldStart.ratios["A/F1"] <= 1.25, `cold start A/F1 ${coldStart.ratios["A/F1"]} > 1.25`);

// ---------------------------------------------------------------------------
// 2. Round trips and 3. concurrency, counted by an in-process server
// ---------------------------------------------------------------------------
const local = await startServer();
const [org] = local.registry.organizations;
const credentials = { clientId: org.globalId, clientSecret: org.secret };
const at = { baseUrl: local.url };
async function requestsFor(flow: () => Promise<unknown>): Promise<number> {
  local.reset();
  await flow();
  return local.count();
}
const warmSource = createTokenSource({ ...credentials, ...at });
await warmSource.jwt();
const roundTrips = [
  { flow: "getJwt({ clientId, clientSecret })", expected: 1, requests: await requestsFor(() => getJwt(credentials, at)) },
  {
    flow: "getAccessToken() then getJwt(token)",
    expected: 2,
    requests: await requestsFor(async () => getJwt(await getAccessToken({ ...credentials, ...at }), at)),
  },
  { flow: "createTokenSource().jwt(), cached", expected: 0, requests: await requestsFor(() => warmSource.jwt()) },
].map((row) => ({ ...row, status: check(row.requests === row.expected, `${row.flow}: ${row.requests} requests, expected ${row.expected}`) }));

console.log("Concurrency on a cold token source…");
const concurrency: { callers: number; requests: number; msPerCall: number; status: string }[] = [];
for (const callers of [1, 10, 100, 1000]) {
  const perCall: number[] = [];
  let requests = 0;
  for (let run = 0; run < RUNS; run++) {
    const source = createTokenSource({ ...credentials, ...at });
    local.reset();
    const started = performance.now();
    await Promise.all(Array.from({ length: callers }, () => source.jwt()));
    perCall.push((performance.now() - started) / callers);
    requests = Math.max(requests, local.count());
  }
  concurrency.push({ callers, requests, msPerCall: round(median(perCall), 4), status: check(requests === 1, `${callers} callers made ${requests} requests`) });
}
const warmCalls = 100_000;
const warmTimes: number[] = [];
for (let run = 0; run < RUNS; run++) {
  const started = performance.now();
  for (let i = 0; i < warmCalls; i++) await warmSource.jwt();
  warmTimes.push(((performance.now() - started) / warmCalls) * 1000);
}
const warm = { calls: warmCalls, microsecondsPerCall: round(median(warmTimes), 3) };

// ---------------------------------------------------------------------------
// 4. Deno: a script that imports mod.ts and fetches a JWT, against deno eval ''
// ---------------------------------------------------------------------------
const denoVersion = execFileSync(DENO, ["--version"], { encoding: "utf8" }).split("\n")[0];
console.log(`Deno (${denoVersion}), ${RUNS} interleaved runs each…`);
// The local server runs in this process, so the Deno runs are timed without blocking it.
async function timeAsync(programs: Record<string, string[]>): Promise<Record<string, number>> {
  const times: Record<string, number[]> = Object.fromEntries(Object.keys(programs).map((name) => [name, []]));
  for (let run = -1; run < RUNS; run++) {
    for (const [name, args] of Object.entries(programs)) {
      const started = performance.now();
      const status = await new Promise<number | null>((resolve) => {
        const child = spawn(DENO, args, { cwd: root, env: { ...process.env, ITSYOU_CLIENT_SECRET: org.secret, NO_COLOR: "1" }, stdio: "ignore" });
        child.on("close", resolve);
      });
      if (status !== 0) throw new Error(`deno ${name} failed (${status})`);
      if (run >= 0) times[name].push(performance.now() - started);
    }
  }
  return Object.fromEntries(Object.entries(times).map(([name, values]) => [name, round(median(values), 1)]));
}
const denoTimes = await timeAsync({
  "deno eval ''": ["eval", ""],
  "deno run jwt": ["run", "--allow-net=127.0.0.1", "--allow-env=ITSYOU_CLIENT_SECRET", "bench/fixture/deno-jwt.ts", local.url, org.globalId],
});
const deno = {
  runtime: denoVersion,
  medianMs: denoTimes,
  ratio: round(denoTimes["deno run jwt"] / denoTimes["deno eval ''"]),
  modBytes: statSync(join(root, "mod.ts")).size,
};
await local.close();

// ---------------------------------------------------------------------------
// 5. Cost growth of decodeJwt and verifyJwt with the number of scopes
// ---------------------------------------------------------------------------
console.log("Cost growth with the number of scopes…");
const { privateKey, publicKey } = generateKeyPairSync("ec", { namedCurve: "P-384" });
const pem = publicKey.export({ type: "spki", format: "pem" }).toString();
const b64 = (text: string | Buffer): string => Buffer.from(text).toString("base64url");
function tokenWith(scopes: number): string {
  const claims = { azp: "acme", exp: Math.floor(Date.now() / 1000) + 3600, globalid: "acme", iss: "itsyouonline", scope: Array.from({ length: scopes }, (_, i) => `user:memberof:organization-${i}`) };
  const input = `${b64('{"alg":"ES384","typ":"JWT"}')}.${b64(JSON.stringify(claims))}`;
  return `${input}.${b64(sign("sha384", Buffer.from(input), { key: privateKey, dsaEncoding: "ieee-p1363" }))}`;
}
async function microseconds(operation: () => unknown, iterations: number): Promise<number> {
  const samples: number[] = [];
  for (let run = 0; run < RUNS; run++) {
    const started = performance.now();
    for (let i = 0; i < iterations; i++) await operation();
    samples.push(((performance.now() - started) / iterations) * 1000);
  }
  return round(median(samples), 2);
}
const growth: { scopes: number; jwtBytes: number; decodeJwtMicroseconds: number; verifyJwtMicroseconds: number }[] = [];
for (const scopes of [1, 10, 100, 1000]) {
  const jwt = tokenWith(scopes);
  await verifyJwt(jwt, { publicKey: pem }); // imports and caches the key
  growth.push({
    scopes,
    jwtBytes: jwt.length,
    decodeJwtMicroseconds: await microseconds(() => decodeJwt(jwt), 2000),
    verifyJwtMicroseconds: await microseconds(() => verifyJwt(jwt, { publicKey: pem }), 200),
  });
}
// Linear: going from 100 to 1000 scopes (10x the bytes) may cost at most 10x, with 50% slack for noise.
const linear = (key: "decodeJwtMicroseconds" | "verifyJwtMicroseconds"): string => {
  const ratio = growth[3][key] / growth[2][key];
  return check(ratio <= 15, `${key} grew ${round(ratio)}x from 100 to 1000 scopes (superlinear)`);
};
const growthStatus = { decodeJwt: linear("decodeJwtMicroseconds"), verifyJwt: linear("verifyJwtMicroseconds") };

// ---------------------------------------------------------------------------
// Report
// ---------------------------------------------------------------------------
const machine = { cpu: cpus()[0]?.model ?? "unknown", cores: cpus().length, memoryGiB: round(totalmem() / 2 ** 30, 0), os: `${platform()} ${release()}` };
const results = { date: new Date().toISOString(), runs: RUNS, machine, coldStart, roundTrips, concurrency, warm, deno, growth, growthStatus, failures };
writeFileSync(join(root, "bench/results.json"), `${JSON.stringify(results, null, 2)}\n`);

const lines = [
  `Machine: ${machine.cpu}, ${machine.cores} cores, ${machine.memoryGiB} GiB, ${machine.os}. Medians of ${RUNS} interleaved runs.`,
  "",
  `| Cold start (${coldStart.runtime}) | median ms |`,
  "|---|---:|",
  `| F0 \`node -e ''\` | ${cold.F0} |`,
  `| F1 the floor: @actions/core + @actions/github context, one output (${(coldStart.floorBytes / 1024).toFixed(0)} KiB) | ${cold.F1} |`,
  `| A \`dist/index.js\`: access token + JWT from the local server, outputs written (${(coldStart.distBytes / 1024).toFixed(0)} KiB) | ${cold.A} |`,
  `| A/F0 · F1/F0 · **A/F1** (budget ≤ 1.25) | ${coldStart.ratios["A/F0"]} · ${coldStart.ratios["F1/F0"]} · **${coldStart.ratios["A/F1"]}** ${coldStart.status} |`,
  "",
  "| Round trips (counted by the server) | requests |",
  "|---|---:|",
  ...roundTrips.map((row) => `| ${row.flow} | ${row.requests} ${row.status} |`),
  "",
  "| Concurrent `jwt()` calls on a cold source | requests | ms per call |",
  "|---|---:|---:|",
  ...concurrency.map((row) => `| ${row.callers} | ${row.requests} ${row.status} | ${row.msPerCall} |`),
  `| warm (cached) call | 0 | ${round(warm.microsecondsPerCall / 1000, 6)} |`,
  "",
  `| Deno (${deno.runtime}) | median ms |`,
  "|---|---:|",
  `| \`deno eval ''\` | ${denoTimes["deno eval ''"]} |`,
  `| \`deno run\` importing mod.ts (${(deno.modBytes / 1024).toFixed(0)} KiB) and fetching a JWT | ${denoTimes["deno run jwt"]} |`,
  `| ratio | ${deno.ratio} |`,
  "",
  "| Scopes in the JWT | JWT bytes | decodeJwt µs | verifyJwt µs |",
  "|---:|---:|---:|---:|",
  ...growth.map((row) => `| ${row.scopes} | ${row.jwtBytes} | ${row.decodeJwtMicroseconds} | ${row.verifyJwtMicroseconds} |`),
  `| growth 100 → 1000 scopes | 10x bytes | ${round(growth[3].decodeJwtMicroseconds / growth[2].decodeJwtMicroseconds)}x ${growthStatus.decodeJwt} | ${round(growth[3].verifyJwtMicroseconds / growth[2].verifyJwtMicroseconds)}x ${growthStatus.verifyJwt} |`,
];
writeFileSync(join(root, "bench/results.md"), `${lines.join("\n")}\n`);
console.log(`\n${lines.join("\n")}\n`);
if (failures.length > 0) {
  console.log(`Budgets failed:\n- ${failures.join("\n- ")}`);
  process.exit(1);
}
console.log("All budgets hold.");
rmSync(tmp, { recursive: true, force: true });
