/**
 * The chaos run: two token sources (plain and refreshable, `validity` 20 s, `refreshBefore` 10 s) in this process,
 * each with callers in a loop, against the real server through a fault proxy, while a schedule kills the server,
 * blackholes and resets the network, holds every answer, restarts the database and restarts it empty (the
 * credentials unknown). Its verdict is the token source's promises: no expired or invalid JWT, every call within
 * its bound, renewals paced while refused and while down, single flight, memory back where it was, nothing secret in
 * any error, no crash or hang. scripts/chaos.ts runs it (`npm run chaos`).
 */
import { spawn } from "node:child_process";
import { openSync, readFileSync, readlinkSync, writeFileSync } from "node:fs";
import { connect } from "node:net";
import { setFlagsFromString } from "node:v8";
import { runInNewContext } from "node:vm";
import { createTokenSource, decodeJwt, DEFAULTS, verifyJwt } from "../mod.ts";
import type { TokenSource } from "../mod.ts";
import { startFaultProxy } from "./fault-proxy.ts";
import type { FaultMode, FaultProxy } from "./fault-proxy.ts";
import type { RealServer } from "./real-server.ts";

/** A process start.sh started, as /proc shows it, so it can be killed and started again the same way. */
interface Started {
  pid: number;
  command: string[];
  cwd: string;
  log: string;
}

function started(pid: number, log: string): Started {
  const command = readFileSync(`/proc/${pid}/cmdline`, "utf8").split("\0").filter(Boolean);
  return { pid, command, cwd: readlinkSync(`/proc/${pid}/cwd`), log };
}

async function kill(process_: Started): Promise<void> {
  try {
    process.kill(process_.pid, "SIGKILL");
  } catch {
    return;
  }
  for (let i = 0; i < 200; i++) {
    try {
      process.kill(process_.pid, 0);
    } catch {
      return;
    }
    await sleep(25);
  }
}

/** Starts `process_`'s command again (with `args` instead of its own, if given) and waits for `port` to listen. */
async function restart(process_: Started, port: number, args?: string[]): Promise<Started> {
  const output = openSync(process_.log, "a");
  const command = args ?? process_.command;
  const child = spawn(command[0], command.slice(1), {
    cwd: process_.cwd,
    detached: true,
    stdio: ["ignore", output, output],
  });
  child.unref();
  for (let i = 0; i < 400; i++) {
    if (await listening(port)) break;
    await sleep(25);
  }
  return { ...process_, pid: child.pid!, command };
}

function listening(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect(port, "127.0.0.1", () => {
      socket.destroy();
      resolve(true);
    });
    socket.on("error", () => resolve(false));
  });
}

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

/** What the schedule can do to the server and the network. */
interface Controls {
  proxy: FaultProxy;
  killServer(): Promise<void>;
  startServer(): Promise<void>;
  restartDatabase(empty?: boolean): Promise<void>;
}

interface Phase {
  name: string;
  seconds: number;
  /** What the token sources' renewals meet: refusals, or failures that can heal (for the pacing verdict). */
  kind?: "refusal" | "failure";
  begin?(controls: Controls): Promise<void>;
  end?(controls: Controls): Promise<void>;
}

const mode = (to: FaultMode) => (controls: Controls): Promise<void> => Promise.resolve(controls.proxy.setMode(to));

/** The schedule; `scale` lengthens every phase but the first and last (1: a few minutes; 4 or more: a soak). */
export function schedule(scale: number): Phase[] {
  const s = (seconds: number): number => Math.round(seconds * scale);
  return [
    { name: "warm-up", seconds: 15 },
    {
      // Longer than a JWT's 20 s: the cached one expires while the server is down.
      name: "server killed",
      seconds: s(25),
      kind: "failure",
      begin: (c) => c.killServer(),
      end: (c) => c.startServer(),
    },
    { name: "network blackholed", seconds: s(10), kind: "failure", begin: mode("blackhole"), end: mode("pass") },
    { name: "connections reset", seconds: s(10), kind: "failure", begin: mode("reset"), end: mode("pass") },
    { name: "every answer held 5 s", seconds: s(10), begin: mode("hold"), end: mode("pass") },
    { name: "database restarted", seconds: s(10), begin: (c) => c.restartDatabase() },
    {
      name: "database empty (credentials unknown)",
      seconds: s(30),
      kind: "refusal",
      begin: (c) => c.restartDatabase(true),
      end: (c) => c.restartDatabase(),
    },
    // Past the longest step the refusal phase can leave (40 s after 30 s; the 2-minute cap after a soak's longer
    // refusal), so that each source is seen to recover.
    { name: "recovery", seconds: scale > 1 ? 150 : 60 },
  ];
}

/** A call's time bound (mod.ts's: `(retries + 1) × timeout` plus the longest backoffs), for the default options. */
const REQUEST_BOUND_MS = (DEFAULTS.retries + 1) * DEFAULTS.timeoutMs +
  Array.from({ length: DEFAULTS.retries }, (_, i) => Math.min(5000, 200 * 2 ** i)).reduce((a, b) => a + b, 0);

interface SourceRun {
  name: "plain" | "refreshable";
  tokens: TokenSource;
  /** Requests sent (fetch calls), per phase. */
  requests: number[];
  /** Requests made by the cold start's concurrent callers. */
  coldRequests: number;
  /** Calls that got a JWT in the last phase. */
  recovered: number;
  bound: number;
}

export interface ChaosReport {
  rows: string[];
  verdicts: { ok: boolean; what: string }[];
}

/** Runs the schedule against the server in `serverFile` (start.sh's server.json; its pids are kept current). */
export async function runChaos(
  server: RealServer,
  serverFile: string,
  options: { scale: number; callers: number; log?: (line: string) => void },
): Promise<ChaosReport> {
  const log = options.log ?? (() => {});
  const described = JSON.parse(readFileSync(serverFile, "utf8"));
  const dir = server.dir;
  let serverProcess = started(described.pids.server, `${dir}/server.log`);
  let mongo = started(described.pids.mongo, `${dir}/mongo.out`);
  /** The database as start.sh started it, seeded: what it is restarted as after the empty phase. */
  const original = mongo;
  const serverPort = Number(new URL(server.url).port);
  const mongoPort = Number(mongo.command[mongo.command.findIndex((arg) => arg.endsWith("mongo.py")) + 1]);
  const savePids = (): void =>
    writeFileSync(serverFile, JSON.stringify({ ...described, pids: { server: serverProcess.pid, mongo: mongo.pid } }));
  const proxy = await startFaultProxy(serverPort);
  const emptySeed = `${dir}/empty-seed.json`;
  writeFileSync(emptySeed, JSON.stringify({ "itsyouonline-idserver-db": {} }));
  const controls: Controls = {
    proxy,
    killServer: () => kill(serverProcess),
    async startServer() {
      serverProcess = await restart(serverProcess, serverPort);
      savePids();
    },
    async restartDatabase(empty = false) {
      await kill(mongo);
      const seedsAt = mongo.command.findIndex((arg) => arg.endsWith("mongo.py")) + 3;
      const args = empty ? [...mongo.command.slice(0, seedsAt), emptySeed] : undefined;
      mongo = await restart(empty ? mongo : { ...mongo, command: original.command }, mongoPort, args);
      savePids();
    },
  };

  let phase = 0;
  const phases = schedule(options.scale);
  const secrets = new Set<string>([server.org.clientSecret]);
  const counting = (run: () => SourceRun): typeof fetch => (input, init) => {
    run().requests[phase]++;
    return fetch(input, init);
  };
  const sources: SourceRun[] = (["plain", "refreshable"] as const).map((name) => {
    const run: SourceRun = {
      name,
      tokens: undefined as unknown as TokenSource,
      requests: phases.map(() => 0),
      coldRequests: 0,
      recovered: 0,
      // A refreshable source's renewal may be a refresh that fails, then the credentials.
      bound: name === "refreshable" ? 2 * REQUEST_BOUND_MS : REQUEST_BOUND_MS,
    };
    run.tokens = createTokenSource({
      ...server.org,
      baseUrl: proxy.url,
      validity: 20,
      refreshBefore: 10,
      refreshable: name === "refreshable",
      fetch: counting(() => run),
    });
    return run;
  });

  // Single flight: every caller's first call at once, on a cold source.
  await Promise.all(sources.map((run) => Promise.all(Array.from({ length: options.callers }, () => run.tokens.jwt()))));
  for (const run of sources) run.coldRequests = run.requests[0];

  const jwts = new Map<string, number>(); // each distinct JWT, its exp (ms)
  const errors = new Map<string, string>(); // each distinct error message, with its stack and cause
  const perPhase = phases.map(() => ({ calls: 0, failed: 0, longest: 0 }));
  let expired = 0;
  let overBound = 0;
  let unhandled = 0;
  process.on("unhandledRejection", () => unhandled++);
  let running = true;
  const caller = async (run: SourceRun): Promise<void> => {
    while (running) {
      const began = performance.now();
      const at = phase;
      try {
        const jwt = await run.tokens.jwt();
        if (!jwts.has(jwt)) {
          jwts.set(jwt, decodeJwt(jwt).exp! * 1000);
          const refreshToken = decodeJwt(jwt).refresh_token;
          if (typeof refreshToken === "string") secrets.add(refreshToken);
        }
        if (Date.now() >= jwts.get(jwt)!) expired++;
        if (at === phases.length - 1) run.recovered++;
      } catch (error) {
        perPhase[at].failed++;
        const text = error instanceof Error ? error.message : String(error);
        if (!errors.has(text) && errors.size < 200) {
          const cause = error instanceof Error ? String(error.cause ?? "") : "";
          errors.set(text, `${text}\n${error instanceof Error ? error.stack : ""}\n${cause}`);
        }
      }
      const took = performance.now() - began;
      perPhase[at].calls++;
      perPhase[at].longest = Math.max(perPhase[at].longest, took);
      if (took > run.bound) overBound++;
      await new Promise((resolve) => setImmediate(resolve));
    }
  };
  const loops = sources.flatMap((run) => Array.from({ length: options.callers }, () => caller(run)));

  setFlagsFromString("--expose-gc");
  const gc = runInNewContext("gc") as () => void;
  const heap = (): { heap: number; rss: number } => {
    gc();
    const usage = process.memoryUsage();
    return { heap: usage.heapUsed / 2 ** 20, rss: usage.rss / 2 ** 20 };
  };
  let before = heap();
  for (const [index, step] of phases.entries()) {
    phase = index;
    log(`── ${step.name} (${step.seconds} s)`);
    await step.begin?.(controls);
    await sleep(step.seconds * 1000);
    await step.end?.(controls);
    if (index === 0) before = heap();
  }
  const after = heap();
  running = false;
  await Promise.race([Promise.all(loops), sleep(2 * REQUEST_BOUND_MS)]);
  const hung = await Promise.race([Promise.all(loops).then(() => false), sleep(0).then(() => true)]);
  await proxy.close();

  // Every distinct JWT, by the server's signature with no clock tolerance, when first handed out.
  let invalid = 0;
  for (const jwt of jwts.keys()) {
    const exp = jwts.get(jwt)!;
    await verifyJwt(jwt, { publicKey: server.publicKey, anyAudience: true, clockTolerance: 0, now: new Date(exp - 1) })
      .catch(() => invalid++);
    secrets.add(jwt);
  }
  const leaks = [...errors.values()].filter((text) => [...secrets].some((secret) => text.includes(secret))).length;

  const rows = [
    "| Phase | s | calls | failed calls | requests plain (per s) | requests refreshable (per s) | longest call ms |",
    "|---|---:|---:|---:|---:|---:|---:|",
    ...phases.map((step, i) => {
      const rate = (run: SourceRun): string => `${run.requests[i]} (${(run.requests[i] / step.seconds).toFixed(1)})`;
      return `| ${step.name} | ${step.seconds} | ${perPhase[i].calls} | ${perPhase[i].failed} | ${rate(sources[0])} | ${
        rate(sources[1])
      } | ${Math.round(perPhase[i].longest)} |`;
    }),
    "",
    `Distinct JWTs handed out: ${jwts.size}; distinct error messages: ${errors.size}. Heap after a full GC: ${
      before.heap.toFixed(1)
    } MiB after the warm-up, ${after.heap.toFixed(1)} MiB after the recovery; RSS ${before.rss.toFixed(0)} → ${
      after.rss.toFixed(0)
    } MiB.`,
  ];
  const longest = Math.max(...perPhase.map((entry) => entry.longest));
  const verdicts = [
    { ok: expired === 0, what: `no expired JWT handed out (${expired})` },
    { ok: invalid === 0, what: `every distinct JWT verifies by the server's signature (${invalid} did not)` },
    {
      ok: overBound === 0,
      what: `every call within its bound (longest ${Math.round(longest)} ms; bound ${REQUEST_BOUND_MS} ms, ${
        2 * REQUEST_BOUND_MS
      } ms refreshable)`,
    },
    ...sources.map((run) => ({
      ok: run.coldRequests === 1,
      what:
        `single flight: ${options.callers} concurrent cold calls of the ${run.name} source made ${run.coldRequests} request(s)`,
    })),
    ...phases.flatMap((step, i) =>
      step.kind === undefined ? [] : sources.map((run) => {
        const most = mostRequests(step.seconds, step.kind!, run.name);
        return {
          ok: run.requests[i] <= most,
          what: `${step.name}: the ${run.name} source sent ${run.requests[i]} requests, at most ${most} when paced`,
        };
      })
    ),
    ...sources.map((run) => ({
      ok: run.recovered > 0,
      what: `the ${run.name} source recovers: ${run.recovered} calls got a JWT in the last phase`,
    })),
    {
      ok: after.heap - before.heap <= 8,
      what: `memory back within 8 MiB of the heap after the warm-up (${(after.heap - before.heap).toFixed(1)} MiB)`,
    },
    { ok: leaks === 0, what: `no secret (client secret, JWT, refresh token) in any error (${leaks} did)` },
    { ok: !hung && unhandled === 0, what: `no hang, no unhandled rejection (${unhandled})` },
  ];
  return { rows, verdicts };
}

/**
 * The most requests a paced source may send in a phase of `seconds`: the renewals that fit when each waits the
 * least its step allows (half of 1 s doubling, or of 5 s doubling for refusals), plus one under way as the phase
 * begins, each of up to `retries + 1` attempts (a network failure) or two requests (a refused refresh, then the
 * credentials).
 */
function mostRequests(seconds: number, kind: "refusal" | "failure", source: "plain" | "refreshable"): number {
  const first = kind === "refusal" ? 5 : 1;
  let renewals = 2;
  for (let at = 0, step = first; at + step / 2 <= seconds; at += step / 2, step = Math.min(step * 2, 120)) renewals++;
  const perRenewal = kind === "failure" ? DEFAULTS.retries + 1 : source === "refreshable" ? 2 : 1;
  return renewals * perRenewal;
}
