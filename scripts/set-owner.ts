/**
 * `npm run set-owner -- OWNER`: names OWNER as the action's owner (`OWNER/itsyou-token-action`) in every file
 * users copy it from (release.ts's OWNER_FILES, mod.ts's links among them), formats them, and rebuilds dist/ (mod.ts
 * is bundled into it), so that `release.ts --check` and `npm test` pass right after. Run again, it changes nothing.
 */
import { spawnSync } from "node:child_process";
import { readFileSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { OWNER_FILES } from "./release.ts";

/** A GitHub user or organization name: letters, digits and single hyphens, at most 39 characters. */
const OWNER = /^[A-Za-z0-9](?:[A-Za-z0-9]|-(?=[A-Za-z0-9])){0,38}$/;

/** Replaces the owner in OWNER_FILES; returns the files it changed. */
export function setOwner(cwd: string, owner: string): string[] {
  if (!OWNER.test(owner)) {
    throw new Error(`${JSON.stringify(owner)} is not a GitHub owner (letters, digits and single hyphens, at most 39).`);
  }
  const changed: string[] = [];
  for (const file of OWNER_FILES) {
    const path = join(cwd, file);
    let text: string;
    try {
      text = readFileSync(path, "utf8");
    } catch {
      continue;
    }
    // OWNER/… is an instruction's placeholder ("your owner") and stays.
    const next = text.replace(/\b(?!OWNER\/)[\w.-]+\/itsyou-token-action\b/g, `${owner}/itsyou-token-action`);
    if (next !== text) {
      writeFileSync(path, next);
      changed.push(file);
    }
  }
  return changed;
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const cwd = fileURLToPath(new URL("..", import.meta.url));
  const owner = process.argv[2] ?? "";
  try {
    const changed = setOwner(cwd, owner);
    const run = (command: string, args: string[]): void => {
      const { status } = spawnSync(command, args, { cwd, stdio: "inherit" });
      if (status !== 0) throw new Error(`${[command, ...args].join(" ")} failed (exit ${status})`);
    };
    if (changed.length > 0) {
      run(join(cwd, "node_modules/.bin/deno"), ["fmt", ...changed]);
      // From an empty dist/: ncc leaves the files it no longer makes, and the freshness check compares them all.
      rmSync(join(cwd, "dist"), { recursive: true, force: true });
      run("npm", ["run", "build", "--silent"]);
    }
    console.log(
      changed.length > 0
        ? `set-owner: ${owner}/itsyou-token-action in ${changed.join(", ")}; formatted; dist/ rebuilt. Commit them.`
        : `set-owner: every file already names ${owner}/itsyou-token-action`,
    );
  } catch (error) {
    console.error(`set-owner: ${(error as Error).message}`);
    process.exit(1);
  }
}
