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
  /** Checks (format, types, lint, a fresh dist/…) that failed: each counts as one failure on the closing line. */
  failedSteps = 0;
  /** Test suites whose runner exited non-zero, by the name their report goes by in finish(). */
  private readonly failedSuites = new Set<string>();

  /**
   * Runs one step with its output shown. A check that exits non-zero is one failure; a suite (`suite` names its
   * report) counts its failed tests, or one failure if it failed with none (a coverage floor, a crash).
   */
  run(title: string, command: string, args: string[], options: SpawnSyncOptions = {}, suite?: string): boolean {
    console.log(`\n── ${title}`);
    const { status } = spawnSync(command, args, { stdio: "inherit", ...options });
    if (status !== 0) {
      if (suite) this.failedSuites.add(suite);
      else this.failedSteps++;
      console.log(`✗ ${title} failed (exit ${status})`);
    }
    return status === 0;
  }

  /**
   * Adds up the reports, prints the closing line "N passed, N failed", which counts every failure, checks included,
   * and exits: non-zero exactly when that line names a failure or a skipped test.
   */
  finish(reports: [string, () => Tally][]): never {
    const total: Tally = { passed: 0, failed: this.failedSteps, skipped: 0 };
    for (const [runner, read] of reports) {
      try {
        const tally = read();
        total.passed += tally.passed;
        total.failed += tally.failed;
        total.skipped += tally.skipped;
        if (this.failedSuites.has(runner) && tally.failed === 0) {
          console.log(`✗ ${runner} failed without a failing test (see above)`);
          total.failed++;
        }
      } catch {
        console.log(`✗ ${runner} wrote no results`);
        total.failed++;
      }
    }
    if (total.skipped > 0) console.log(`✗ ${total.skipped} test(s) were skipped`);
    console.log(
      `${total.passed} passed, ${total.failed} failed${total.skipped > 0 ? `, ${total.skipped} skipped` : ""}`,
    );
    process.exit(total.failed > 0 || total.skipped > 0 ? 1 : 0);
  }
}
