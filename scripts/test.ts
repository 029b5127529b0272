/**
 * `npm test`: the static checks, then every test suite (vitest on Node, deno
 * test under Deno), then one line "N passed, N failed" counting every test.
 * Exits non-zero when a check or a test failed.
 */
import { spawnSync } from "node:child_process";
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { fileURLToPath } from "node:url";

const root = fileURLToPath(new URL("..", import.meta.url));
const bin = (name: string): string => `${root}node_modules/.bin/${name}`;
const results = `${root}.test-results`;
rmSync(results, { recursive: true, force: true });
mkdirSync(results, { recursive: true });

let failedChecks = 0;
function run(title: string, command: string, args: string[], cwd = root): boolean {
  console.log(`\n── ${title}`);
  const { status } = spawnSync(command, args, { cwd, stdio: "inherit" });
  if (status !== 0) {
    failedChecks++;
    console.log(`✗ ${title} failed (exit ${status})`);
  }
  return status === 0;
}

const deno = bin("deno");
run("tsc: type check", bin("tsc"), ["-p", "."]);
run("deno check (the code, and the examples in its docs)", deno, ["check", "--doc", "mod.ts", "cli.ts", "test/deno/", "bench/fixture/deno-jwt.ts"]);
run("deno lint", deno, ["lint"]);
// Run from outside the project, so Deno does not try to load @types/node for a file with no imports.
run("deno doc --lint mod.ts", deno, ["doc", "--lint", `${root}mod.ts`], tmpdir());
run("deno publish --dry-run", deno, ["publish", "--dry-run", "--allow-dirty"]);

// dist/ is committed and is what the runner executes: it must be exactly what `npm run build` makes now.
const fresh = mkdtempSync(`${tmpdir()}/itsyou-dist-`);
if (run("ncc: a fresh build of dist/", bin("ncc"), ["build", "src/index.ts", "-o", fresh, "--license", "licenses.txt", "--no-source-map-register", "--quiet"])) {
  const files = (dir: string): string[] => readdirSync(dir).sort();
  const same = JSON.stringify(files(fresh)) === JSON.stringify(files(`${root}dist`)) &&
    files(fresh).every((name) => readFileSync(`${fresh}/${name}`).equals(readFileSync(`${root}dist/${name}`)));
  console.log(same ? "dist/ matches a fresh build" : "✗ dist/ differs from a fresh build: run `npm run build` and commit dist/");
  if (!same) failedChecks++;
}
rmSync(fresh, { recursive: true, force: true });

run("vitest (Node)", bin("vitest"), ["run", "--reporter=default", "--reporter=json", `--outputFile=${results}/vitest.json`]);
run("deno test (Deno)", deno, [
  "test", "--allow-net", "--allow-read", "--allow-write", "--allow-run", "--allow-env",
  `--junit-path=${results}/deno.xml`, "test/deno/",
]);
run("bun test (Bun)", bin("bun"), ["test", "--reporter=junit", `--reporter-outfile=${results}/bun.xml`, "test/bun/"]);

let passed = 0;
let failed = 0;
let skipped = 0;
try {
  const vitest = JSON.parse(readFileSync(`${results}/vitest.json`, "utf8"));
  passed += vitest.numPassedTests;
  failed += vitest.numFailedTests;
  skipped += vitest.numPendingTests + vitest.numTodoTests;
} catch {
  console.log("✗ vitest wrote no results");
  failedChecks++;
}
/** A JUnit report's totals (Deno's and Bun's runners write one). */
for (const [runner, file] of [["deno test", "deno.xml"], ["bun test", "bun.xml"]]) {
  try {
    const junit = readFileSync(`${results}/${file}`, "utf8");
    const suites = /<testsuites\b[^>]*>/.exec(junit)?.[0];
    if (!suites) throw new Error("no <testsuites>");
    const count = (name: string): number => Number(new RegExp(`\\b${name}="(\\d+)"`).exec(suites)?.[1] ?? 0);
    const tests = Number(/\btests="(\d+)"/.exec(suites)?.[1] ?? NaN);
    const failures = count("failures") + count("errors");
    if (Number.isNaN(tests) || tests === 0) throw new Error("no tests");
    passed += tests - failures - count("skipped");
    failed += failures;
    skipped += count("skipped");
  } catch {
    console.log(`✗ ${runner} wrote no results`);
    failedChecks++;
  }
}

if (failedChecks > 0) console.log(`\n${failedChecks} check(s) or suite(s) failed; see above.`);
// A skipped test is a defect here: it counts as a failure of the run.
if (skipped > 0) console.log(`✗ ${skipped} test(s) were skipped`);
console.log(`${passed} passed, ${failed} failed${skipped > 0 ? `, ${skipped} skipped` : ""}`);
process.exit(failedChecks > 0 || failed > 0 || skipped > 0 ? 1 : 0);
