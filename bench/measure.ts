/**
 * What every part of the benchmark shares: the run counts, the one process timer, medians, and the record of
 * budgets that failed. Each part (cold-start.ts, peers.ts, library.ts) measures one question and returns its
 * results and the rows of its tables; bench.ts runs them and writes the report.
 */
import { spawn } from "node:child_process";
import { join } from "node:path";
import { fileURLToPath } from "node:url";

/** Runs of each timing (its median is reported): 31, since this machine moves a 15-run median by up to 10 %; BENCH_RUNS sets it. */
export const RUNS = Number(process.env.BENCH_RUNS ?? 31);
export const root = fileURLToPath(new URL("..", import.meta.url));
/** Scratch space for builds and runner files, removed when every budget holds. */
export const tmp = join(root, "bench/tmp");
export const NODE = join(root, "node_modules/.bin/node");
export const DENO = join(root, "node_modules/.bin/deno");

/** A part's findings for the report: its results (results.json) and its tables (results.md). */
export interface Part<T> {
  results: T;
  lines: string[];
}

/** What each budget that failed says. */
export const failures: string[] = [];

/** "ok", or "FAIL" with `what` recorded among the failures. */
export function check(ok: boolean, what: string): string {
  if (!ok) failures.push(what);
  return ok ? "ok" : "FAIL";
}

export function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted.length % 2
    ? sorted[sorted.length >> 1]
    : (sorted[sorted.length / 2 - 1] + sorted[sorted.length / 2]) / 2;
}

export const round = (value: number, digits = 2): number => Number(value.toFixed(digits));

/** A whole process to time. */
export interface Program {
  command: string;
  args: string[];
  env?: NodeJS.ProcessEnv;
  /** Checks what the run left behind (and resets it for the next run); throws if it is not there. */
  verify?: () => void;
}

/**
 * The benchmark's one process timer: the wall time in ms from spawning `program` to its exit. It does not block
 * this process, so servers running here go on answering. A non-zero exit rejects, with the process's output.
 */
export function timeProcess(program: Program): Promise<number> {
  const started = performance.now();
  return new Promise((resolve, reject) => {
    const child = spawn(program.command, program.args, {
      cwd: root,
      env: program.env ?? process.env,
      stdio: ["ignore", "pipe", "pipe"],
    });
    let output = "";
    child.stdout.on("data", (chunk) => (output += chunk));
    child.stderr.on("data", (chunk) => (output += chunk));
    child.on("close", (status) => {
      const elapsed = performance.now() - started;
      if (status !== 0) {
        reject(new Error(`${program.command} ${program.args.join(" ")} exited ${status}: ${output}`));
        return;
      }
      try {
        program.verify?.();
        resolve(elapsed);
      } catch (error) {
        reject(error);
      }
    });
  });
}

/** Times each program RUNS times, interleaved, after one warm-up run each; the median ms of each, by its id. */
export async function timeInterleaved<Id extends string>(programs: Record<Id, Program>): Promise<Record<Id, number>> {
  const ids = Object.keys(programs) as Id[];
  const times = Object.fromEntries(ids.map((id) => [id, [] as number[]])) as Record<Id, number[]>;
  for (let run = -1; run < RUNS; run++) {
    for (const id of ids) {
      const ms = await timeProcess(programs[id]);
      if (run >= 0) times[id].push(ms);
    }
  }
  return Object.fromEntries(ids.map((id) => [id, round(median(times[id]), 1)])) as Record<Id, number>;
}
