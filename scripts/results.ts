/**
 * What `npm test` and `npm run test:real` share: running each step, reading the test runners' reports, and the
 * closing line "N passed, N failed" that counts every test (a skipped test fails the run).
 */
import { spawnSync } from "node:child_process";
import type { SpawnSyncOptions } from "node:child_process";
import { readFileSync } from "node:fs";

interface Tally {
  passed: number;
  failed: number;
  skipped: number;
}

/** vitest's arguments that show its usual output and write the JSON report vitestReport(file) reads. */
export function vitestReporters(file: string): string[] {
  return ["--reporter=default", "--reporter=json", `--outputFile=${file}`];
}

/** vitest's JSON report (--reporter=json). */
export function vitestReport(file: string): () => Tally {
  return () => {
    const report = JSON.parse(readFileSync(file, "utf8"));
    return {
      passed: report.numPassedTests,
      failed: report.numFailedTests,
      skipped: report.numPendingTests + report.numTodoTests,
    };
  };
}

/** A JUnit report (deno test and bun test write one); no test at all is an error. */
export function junitReport(file: string): () => Tally {
  return () => {
    const suites = /<testsuites\b[^>]*>/.exec(readFileSync(file, "utf8"))?.[0];
    if (!suites) throw new Error(`${file} has no <testsuites>`);
    const count = (name: string): number => Number(new RegExp(`\\b${name}="(\\d+)"`).exec(suites)?.[1] ?? 0);
    if (count("tests") === 0) throw new Error(`${file} counts no test`);
    const failed = count("failures") + count("errors");
    return { passed: count("tests") - failed - count("skipped"), failed, skipped: count("skipped") };
  };
}

export class Steps {
  failedSteps = 0;

  /** Runs one step with its output shown; a non-zero exit counts as a failed step. */
  run(title: string, command: string, args: string[], options: SpawnSyncOptions = {}): boolean {
    console.log(`\n── ${title}`);
    const { status } = spawnSync(command, args, { stdio: "inherit", ...options });
    if (status !== 0) {
      this.failedSteps++;
      console.log(`✗ ${title} failed (exit ${status})`);
    }
    return status === 0;
  }

  /** Adds up the reports, prints the closing line and exits: non-zero when a step or a test failed or was skipped. */
  finish(reports: [string, () => Tally][]): never {
    const total: Tally = { passed: 0, failed: 0, skipped: 0 };
    for (const [runner, read] of reports) {
      try {
        const tally = read();
        total.passed += tally.passed;
        total.failed += tally.failed;
        total.skipped += tally.skipped;
      } catch {
        console.log(`✗ ${runner} wrote no results`);
        this.failedSteps++;
      }
    }
    if (this.failedSteps > 0) console.log(`\n${this.failedSteps} check(s) or suite(s) failed; see above.`);
    if (total.skipped > 0) console.log(`✗ ${total.skipped} test(s) were skipped`);
    console.log(
      `${total.passed} passed, ${total.failed} failed${total.skipped > 0 ? `, ${total.skipped} skipped` : ""}`,
    );
    process.exit(this.failedSteps > 0 || total.failed > 0 || total.skipped > 0 ? 1 : 0);
  }
}
