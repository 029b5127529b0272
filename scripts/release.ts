/**
 * The release script the release workflow runs (and a maintainer can run):
 *
 *   node scripts/run.mjs scripts/release.ts X.Y.Z [--remote origin] [--notes FILE]
 *
 * It checks that package.json and deno.json say X.Y.Z, that CHANGELOG.md has a
 * "## X.Y.Z" section (written to --notes FILE for the GitHub Release) and that
 * the work tree is clean; then tags HEAD vX.Y.Z (or accepts that tag where it
 * already names HEAD, annotated or not, here or only on the remote, as when the
 * workflow runs on a pushed tag), moves the major tag vX to the same commit, and
 * pushes what the remote does not have yet: run twice, the second run pushes
 * nothing. Each failure is one line that says what to fix. Tested against a
 * local bare repository.
 */
import { execFileSync } from "node:child_process";
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";

export class ReleaseError extends Error {}

/** The text of CHANGELOG.md's "## X.Y.Z" section (to the next "## "), trimmed. */
export function releaseNotes(changelog: string, version: string): string {
  const lines = changelog.split("\n");
  const start = lines.findIndex((line) =>
    new RegExp(`^## \\[?v?${version.replace(/\./g, "\\.")}\\]?(\\s|$)`).test(line)
  );
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

export interface ReleaseResult {
  /** The tags this run pushed (none when they were already there). */
  tags: string[];
  /** The commit they name. */
  commit: string;
  /** One line per step, saying what it did or why it did nothing. */
  log: string[];
}

/**
 * Tags and pushes the release, and can run again: a vX.Y.Z that already names
 * HEAD (annotated or not, here or only on the remote) is kept and not pushed
 * again, and the major tag is moved only when it names another commit.
 */
export function release({ cwd, version, remote = "origin", notesFile }: ReleaseOptions): ReleaseResult {
  const git = (...args: string[]): string =>
    execFileSync("git", args, { cwd, encoding: "utf8", stdio: ["ignore", "pipe", "pipe"] }).trim();
  if (!/^\d+\.\d+\.\d+$/.test(version)) throw new ReleaseError(`${version} is not a version X.Y.Z.`);
  for (const file of ["package.json", "deno.json"]) {
    const found = JSON.parse(readFileSync(join(cwd, file), "utf8")).version;
    if (found !== version) {
      throw new ReleaseError(`${file} says version ${found}, not ${version}: set it, commit, and release again.`);
    }
  }
  const notes = releaseNotes(readFileSync(join(cwd, "CHANGELOG.md"), "utf8"), version);
  if (git("status", "--porcelain") !== "") {
    throw new ReleaseError("The work tree has uncommitted changes: commit or stash them first.");
  }
  const commit = git("rev-parse", "HEAD");
  const tag = `v${version}`;
  const major = `v${version.split(".")[0]}`;
  const remoteTags = remoteTagCommits(git, remote);
  const log: string[] = [];
  const pushed: string[] = [];

  let local = "";
  try {
    local = git("rev-parse", "--verify", "--quiet", `refs/tags/${tag}^{commit}`);
  } catch {
    // not tagged here
  }
  for (const [where, named] of [["here", local], [`on ${remote}`, remoteTags.get(tag) ?? ""]]) {
    if (named && named !== commit) {
      throw new ReleaseError(
        `${tag} already names commit ${named.slice(0, 12)} ${where}, not HEAD: a released version is never moved.`,
      );
    }
  }
  if (!local) git("tag", "-a", tag, "-m", tag);
  if (remoteTags.get(tag) === commit) {
    log.push(`${tag} already names ${commit.slice(0, 12)} on ${remote}: kept`);
  } else {
    git("push", remote, `refs/tags/${tag}`);
    pushed.push(tag);
    log.push(`${tag} pushed to ${remote}`);
  }
  if (remoteTags.get(major) === commit) {
    log.push(`${major} already names ${commit.slice(0, 12)} on ${remote}: kept`);
  } else {
    git("tag", "-f", "-a", major, "-m", `${major}: ${tag}`);
    git("push", "--force", remote, `refs/tags/${major}`);
    pushed.push(major);
    log.push(`${major} moved to ${tag} on ${remote}`);
  }
  if (notesFile) writeFileSync(notesFile, `${notes}\n`);
  return { tags: pushed, commit, log };
}

/** Each tag on the remote and the commit it names (an annotated tag's peeled `^{}` line wins). */
function remoteTagCommits(git: (...args: string[]) => string, remote: string): Map<string, string> {
  const tags = new Map<string, string>();
  for (const line of git("ls-remote", "--tags", remote).split("\n")) {
    const match = /^([0-9a-f]{40})\trefs\/tags\/(.+?)(\^\{\})?$/.exec(line);
    if (match && (match[3] || !tags.has(match[2]))) tags.set(match[2], match[1]);
  }
  return tags;
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const [version, ...rest] = process.argv.slice(2);
  const flag = (name: string): string | undefined => (rest.includes(name) ? rest[rest.indexOf(name) + 1] : undefined);
  try {
    const { log } = release({
      cwd: fileURLToPath(new URL("..", import.meta.url)),
      version: version ?? "",
      remote: flag("--remote"),
      notesFile: flag("--notes"),
    });
    for (const line of log) console.log(`release: ${line}`);
  } catch (error) {
    console.error(`release: ${error instanceof ReleaseError ? error.message : (error as Error).message}`);
    process.exit(1);
  }
}
