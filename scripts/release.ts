/**
 * The release script the release workflow runs (and a maintainer can run):
 *
 *   node scripts/run.mjs scripts/release.ts X.Y.Z [--remote origin] [--notes FILE]
 *
 * It checks that package.json and deno.json say X.Y.Z, that CHANGELOG.md has a
 * "## X.Y.Z" section (written to --notes FILE for the GitHub Release) and that
 * the work tree is clean; then tags HEAD vX.Y.Z (or accepts that tag where it
 * already points at HEAD, as when the workflow runs on a pushed tag), moves the
 * major tag vX to the same commit, and pushes both. Each failure is one line
 * that says what to fix. Tested against a local bare repository.
 */
import { execFileSync } from "node:child_process";
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";

export class ReleaseError extends Error {}

/** The text of CHANGELOG.md's "## X.Y.Z" section (to the next "## "), trimmed. */
export function releaseNotes(changelog: string, version: string): string {
  const lines = changelog.split("\n");
  const start = lines.findIndex((line) => new RegExp(`^## \\[?v?${version.replace(/\./g, "\\.")}\\]?(\\s|$)`).test(line));
  if (start < 0) throw new ReleaseError(`CHANGELOG.md has no "## ${version}" section: add one with what changed.`);
  const end = lines.findIndex((line, i) => i > start && line.startsWith("## "));
  const notes = lines.slice(start + 1, end < 0 ? undefined : end).join("\n").trim();
  if (!notes) throw new ReleaseError(`CHANGELOG.md's "## ${version}" section is empty.`);
  return notes;
}

export interface ReleaseOptions {
  /** The repository's folder. */
  cwd: string;
  version: string;
  remote?: string;
  /** Where to write the release notes. */
  notesFile?: string;
}

/** Tags and pushes the release; returns the tags it pushed and the commit they name. */
export function release({ cwd, version, remote = "origin", notesFile }: ReleaseOptions): { tags: string[]; commit: string } {
  const git = (...args: string[]): string => execFileSync("git", args, { cwd, encoding: "utf8", stdio: ["ignore", "pipe", "pipe"] }).trim();
  if (!/^\d+\.\d+\.\d+$/.test(version)) throw new ReleaseError(`${version} is not a version X.Y.Z.`);
  for (const file of ["package.json", "deno.json"]) {
    const found = JSON.parse(readFileSync(join(cwd, file), "utf8")).version;
    if (found !== version) throw new ReleaseError(`${file} says version ${found}, not ${version}: set it, commit, and release again.`);
  }
  const notes = releaseNotes(readFileSync(join(cwd, "CHANGELOG.md"), "utf8"), version);
  if (git("status", "--porcelain") !== "") throw new ReleaseError("The work tree has uncommitted changes: commit or stash them first.");
  const commit = git("rev-parse", "HEAD");
  const tag = `v${version}`;
  const major = `v${version.split(".")[0]}`;
  let existing = "";
  try {
    existing = git("rev-parse", `${tag}^{commit}`);
  } catch {
    // not tagged yet
  }
  if (existing && existing !== commit) throw new ReleaseError(`${tag} already names commit ${existing.slice(0, 12)}, not HEAD: a released version is never moved.`);
  if (!existing) git("tag", "-a", tag, "-m", tag);
  git("tag", "-f", "-a", major, "-m", `${major}: ${tag}`);
  git("push", remote, `refs/tags/${tag}`);
  git("push", "--force", remote, `refs/tags/${major}`);
  if (notesFile) writeFileSync(notesFile, `${notes}\n`);
  return { tags: [tag, major], commit };
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const [version, ...rest] = process.argv.slice(2);
  const flag = (name: string): string | undefined => (rest.includes(name) ? rest[rest.indexOf(name) + 1] : undefined);
  try {
    const { tags, commit } = release({
      cwd: fileURLToPath(new URL("..", import.meta.url)),
      version: version ?? "",
      remote: flag("--remote"),
      notesFile: flag("--notes"),
    });
    console.log(`released ${tags.join(" and ")} at ${commit}`);
  } catch (error) {
    console.error(`release: ${error instanceof ReleaseError ? error.message : (error as Error).message}`);
    process.exit(1);
  }
}
