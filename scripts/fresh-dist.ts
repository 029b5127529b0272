/**
 * Whether dist/ is exactly what `npm run build` makes now: package.json's own build command line (one definition
 * of the build), into a scratch folder, compared file by file. `npm test` and `release.ts --check` both ask.
 */
import { spawnSync } from "node:child_process";
import { mkdtempSync, readdirSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

/** The arguments of `ncc` in package.json's build script ("ncc build src/index.ts -o dist …"). */
function buildArguments(root: string): string[] {
  const script: string = JSON.parse(readFileSync(join(root, "package.json"), "utf8")).scripts.build;
  const [command, ...args] = script.split(/\s+/);
  if (command !== "ncc" || !args.includes("dist")) {
    throw new Error(`package.json's build script is not ncc … -o dist: ${script}`);
  }
  return args;
}

/** Builds into a scratch folder and compares; `problem` says what differs, or why the build failed. */
export function freshDist(root: string, output: "inherit" | "pipe" = "pipe"): { ok: boolean; problem?: string } {
  const fresh = mkdtempSync(join(tmpdir(), "itsyou-dist-"));
  try {
    const args = buildArguments(root).map((arg) => (arg === "dist" ? fresh : arg));
    const build = spawnSync(join(root, "node_modules/.bin/ncc"), [...args, "--quiet"], { cwd: root, stdio: output });
    if (build.status !== 0) return { ok: false, problem: `npm run build failed (exit ${build.status})` };
    const files = (dir: string): string[] => readdirSync(dir).sort();
    const same = JSON.stringify(files(fresh)) === JSON.stringify(files(join(root, "dist"))) &&
      files(fresh).every((name) => readFileSync(join(fresh, name)).equals(readFileSync(join(root, "dist", name))));
    return same
      ? { ok: true }
      : { ok: false, problem: "dist/ differs from a fresh build: run `npm run build` and commit dist/" };
  } finally {
    rmSync(fresh, { recursive: true, force: true });
  }
}
