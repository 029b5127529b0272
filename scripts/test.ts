/**
 * `npm test`: the static checks, then every test suite (vitest on Node, with the
 * workerd and npm-package suites; deno test under Deno; bun test under Bun), then
 * one line "N passed, N failed" counting every test. Exits non-zero when a check
 * or a test failed.
 */
import { mkdirSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { fileURLToPath } from "node:url";
import { freshDist } from "./fresh-dist.ts";
import { junitReport, Steps, vitestReport, vitestReporters } from "./results.ts";

const root = fileURLToPath(new URL("..", import.meta.url));
const bin = (name: string): string => `${root}node_modules/.bin/${name}`;
const results = `${root}.test-results`;
rmSync(results, { recursive: true, force: true });
mkdirSync(results, { recursive: true });
const steps = new Steps();
const options = { cwd: root };

const deno = bin("deno");
steps.run("deno fmt --check (one format; deno.json excludes the generated files)", deno, ["fmt", "--check"], options);
steps.run("tsc: type check", bin("tsc"), ["-p", "."], options);
steps.run("deno check (the code, and the examples in its docs)", deno, [
  "check",
  "--doc",
  "mod.ts",
  "cli.ts",
  "test/deno/",
  "test/real/contract.deno.ts",
  "examples/deno-service.ts",
], options);
steps.run("deno lint (every folder of TypeScript people write)", deno, ["lint"], options);
// Run from outside the project, so Deno does not try to load @types/node for a file with no imports.
steps.run("deno doc --lint mod.ts", deno, ["doc", "--lint", `${root}mod.ts`], { cwd: tmpdir() });
steps.run("deno publish --dry-run", deno, ["publish", "--dry-run", "--allow-dirty"], options);

// dist/ is committed and is what the runner executes: it must be exactly what `npm run build` makes now.
console.log("\n── npm run build, into a scratch folder, against dist/");
const dist = freshDist(root, "inherit");
console.log(dist.ok ? "dist/ matches a fresh build" : `✗ ${dist.problem}`);
if (!dist.ok) steps.failedSteps++;

steps.run(
  "vitest (Node; workerd; the npm package), with the coverage of mod.ts and src/",
  bin("vitest"),
  [
    "run",
    "--coverage",
    ...vitestReporters(`${results}/vitest.json`),
  ],
  options,
  "vitest",
);
steps.run(
  "deno test (Deno)",
  deno,
  [
    "test",
    "--allow-net",
    "--allow-read",
    "--allow-write",
    "--allow-run",
    "--allow-env",
    `--junit-path=${results}/deno.xml`,
    "test/deno/",
  ],
  options,
  "deno test",
);
steps.run(
  "bun test (Bun)",
  bin("bun"),
  [
    "test",
    "--reporter=junit",
    `--reporter-outfile=${results}/bun.xml`,
    "test/bun/",
  ],
  options,
  "bun test",
);

steps.finish([
  ["vitest", vitestReport(`${results}/vitest.json`)],
  ["deno test", junitReport(`${results}/deno.xml`)],
  ["bun test", junitReport(`${results}/bun.xml`)],
]);
