/** scripts/results.ts: the closing line of npm test counts every failure, checks included, and agrees with the exit code. */
import { expect, test } from "vitest";
import { spawnSync } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { NODE_24 } from "../support/action.ts";

const results = fileURLToPath(new URL("../../scripts/results.ts", import.meta.url));

/** Runs Steps as npm test does: `steps` is the script's body; `junit` the suite's report. */
function closingLine(steps: string, junit: string): { line: string; status: number | null } {
  const dir = mkdtempSync(join(tmpdir(), "itsyou-results-"));
  try {
    writeFileSync(join(dir, "report.xml"), junit);
    writeFileSync(
      join(dir, "run.ts"),
      `import { junitReport, Steps } from ${JSON.stringify(results)};
const steps = new Steps();
const fail = ["-e", "process.exit(1)"];
const pass = ["-e", ""];
${steps}
steps.finish([["suite", junitReport(${JSON.stringify(join(dir, "report.xml"))})]]);
`,
    );
    const run = spawnSync(NODE_24, [join(dir, "run.ts")], { encoding: "utf8" });
    return { line: run.stdout.trimEnd().split("\n").at(-1)!, status: run.status };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

const report = (tests: number, failures: number): string =>
  `<testsuites tests="${tests}" failures="${failures}" errors="0" skipped="0"></testsuites>`;

test("a failed check (a format check, say) is one failure on the closing line, and the exit code says so", () => {
  expect(closingLine(`steps.run("deno fmt --check", process.execPath, fail);`, report(3, 0))).toEqual({
    line: "3 passed, 1 failed",
    status: 1,
  });
});

test("a suite that failed without a failing test (a coverage floor) counts once; failed tests count as they are", () => {
  expect(closingLine(`steps.run("vitest", process.execPath, fail, {}, "suite");`, report(4, 0))).toEqual({
    line: "4 passed, 1 failed",
    status: 1,
  });
  expect(closingLine(`steps.run("vitest", process.execPath, fail, {}, "suite");`, report(4, 2))).toEqual({
    line: "2 passed, 2 failed",
    status: 1,
  });
});

test("everything passing reads N passed, 0 failed, exit 0", () => {
  expect(closingLine(`steps.run("tsc", process.execPath, pass);`, report(5, 0))).toEqual({
    line: "5 passed, 0 failed",
    status: 0,
  });
});
