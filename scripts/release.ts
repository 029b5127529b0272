/**
 * The release script the release workflow runs (and a maintainer can run):
 *
 *   node scripts/run.mjs scripts/release.ts X.Y.Z [--remote origin] [--notes FILE] [--default-branch REF] [--check]
 *
 * It checks that package.json and deno.json say X.Y.Z, that CHANGELOG.md has a
 * "## X.Y.Z" section (written to --notes FILE for the GitHub Release), that the
 * docs name the repository it runs in (GITHUB_REPOSITORY) as the action's owner,
 * and that the work tree is clean; --check stops there, after checking the
 * format and that dist/ is a fresh build, and names the repository from
 * GITHUB_REPOSITORY or else the git remote (it refuses to say "ready" without
 * one). Then it tags HEAD vX.Y.Z
 * (or accepts that tag where it already names HEAD, annotated or not, here or
 * only on the remote, as when the workflow runs on a pushed tag), moves the
 * major tag vX to it only forward (to a version newer than the one vX names)
 * and only for a commit on the default branch (--default-branch, e.g.
 * origin/main; by default the remote's own default branch, and the major tag
 * stays where it is when that cannot be told), and pushes what the remote does
 * not have yet: run twice, the
 * second run pushes nothing. Each failure is one line that says what to fix.
 * Tested against a local bare repository.
 */
import { execFileSync, spawnSync } from "node:child_process";
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { freshDist } from "./fresh-dist.ts";

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
  /** The default branch's ref (e.g. `origin/main`): the major tag moves only to a commit on it. */
  defaultBranch?: string;
  /** `owner/name` of the repository it runs in (GITHUB_REPOSITORY): the docs must name it as the action's owner. */
  repository?: string;
}

/** The files users copy the action's `owner/name` from. */
export const OWNER_FILES: readonly string[] = [
  "README.md",
  "SECURITY.md",
  "CONTRIBUTING.md",
  "CHANGELOG.md",
  "action.yml",
  "mod.ts",
  ...["action", "cli", "library", "npm-package", "protocol", "security", "troubleshooting"].map((page) =>
    `docs/${page}.md`
  ),
];

/**
 * Where these files name the action's repository (`owner/itsyou-token-action`) as something other than
 * `repository`: `file: owner/name` lines, empty when they all agree.
 */
export function ownerMismatches(cwd: string, repository: string): string[] {
  const found: string[] = [];
  for (const file of OWNER_FILES) {
    let text: string;
    try {
      text = readFileSync(join(cwd, file), "utf8");
    } catch {
      continue;
    }
    const named = new Set([...text.matchAll(/\b([\w.-]+\/itsyou-token-action)\b/g)].map((match) => match[1]));
    // OWNER/… is an instruction's placeholder ("your owner"), not a name users copy.
    for (const name of named) if (name !== repository && !name.startsWith("OWNER/")) found.push(`${file}: ${name}`);
  }
  return found;
}

/** Checks what a release needs before it tags anything (and all that --check checks). */
export function checkRelease(cwd: string, version: string, repository?: string): string {
  if (!/^\d+\.\d+\.\d+$/.test(version)) throw new ReleaseError(`${version} is not a version X.Y.Z.`);
  for (const file of ["package.json", "deno.json"]) {
    const found = JSON.parse(readFileSync(join(cwd, file), "utf8")).version;
    if (found !== version) {
      throw new ReleaseError(`${file} says version ${found}, not ${version}: set it, commit, and release again.`);
    }
  }
  if (repository !== undefined) {
    const wrong = ownerMismatches(cwd, repository);
    if (wrong.length > 0) {
      throw new ReleaseError(
        `The docs name another repository than ${repository}, where this release runs (${wrong.slice(0, 5).join("; ")}${
          wrong.length > 5 ? "; …" : ""
        }): replace the owner in ${[...new Set(wrong.map((line) => line.split(":")[0]))].join(", ")} and commit.`,
      );
    }
  }
  return releaseNotes(readFileSync(join(cwd, "CHANGELOG.md"), "utf8"), version);
}

/**
 * The repository a release is for: GITHUB_REPOSITORY where a workflow runs, else the `owner/name` of the git
 * remote's GitHub URL (https or ssh); undefined when neither says.
 */
export function repositoryOf(
  cwd: string,
  env: Record<string, string | undefined>,
  remote = "origin",
): string | undefined {
  if (env.GITHUB_REPOSITORY) return env.GITHUB_REPOSITORY;
  try {
    const url = execFileSync("git", ["remote", "get-url", remote], { cwd, encoding: "utf8", stdio: "pipe" }).trim();
    return /github\.com[/:]([\w.-]+\/[\w.-]+?)(?:\.git)?\/?$/.exec(url)?.[1];
  } catch {
    return undefined;
  }
}

/** What `--check` adds for a maintainer's work tree: one format, and dist/ as a fresh build makes it. */
export function checkWorkTree(cwd: string): void {
  const format = spawnSync(join(cwd, "node_modules/.bin/deno"), ["fmt", "--check"], { cwd, encoding: "utf8" });
  if (format.status !== 0) {
    const summary = `${format.stderr}`.match(/Found \d+ not formatted files? in \d+ files?/)?.[0] ??
      "deno fmt --check failed";
    throw new ReleaseError(`${summary}: run \`npx deno fmt\` and commit.`);
  }
  const dist = freshDist(cwd);
  if (!dist.ok) throw new ReleaseError(`${dist.problem}.`);
}

/**
 * The remote's default branch, as a commit this clone has: `REMOTE/HEAD` where the clone knows it, else what the
 * remote says its HEAD is. Undefined when neither can be told (then the major tag is not moved).
 */
function remoteDefaultBranch(git: (...args: string[]) => string, remote: string): string | undefined {
  try {
    return git("symbolic-ref", "--quiet", "--short", `refs/remotes/${remote}/HEAD`);
  } catch {
    // not recorded in this clone
  }
  try {
    const [head, commit] = git("ls-remote", "--symref", remote, "HEAD").split("\n");
    const branch = /^ref: refs\/heads\/(\S+)\tHEAD$/.exec(head)?.[1];
    const sha = commit?.split("\t")[0];
    if (branch && sha && git("cat-file", "-t", sha) === "commit") return sha;
  } catch {
    // no such remote, or its default branch's commit is not here (fetch it first)
  }
  return undefined;
}

/** `a` is a newer X.Y.Z than `b`. */
function newer(a: string, b: string): boolean {
  const [x, y] = [a.split(".").map(Number), b.split(".").map(Number)];
  for (let i = 0; i < 3; i++) if (x[i] !== y[i]) return x[i] > y[i];
  return false;
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
export function release(
  { cwd, version, remote = "origin", notesFile, defaultBranch: given, repository }: ReleaseOptions,
): ReleaseResult {
  const git = (...args: string[]): string =>
    execFileSync("git", args, { cwd, encoding: "utf8", stdio: ["ignore", "pipe", "pipe"] }).trim();
  const defaultBranch = given ?? remoteDefaultBranch(git, remote);
  const notes = checkRelease(cwd, version, repository);
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
  const majorCommit = remoteTags.get(major);
  /** The newest vX.Y.Z on the remote that names the commit the major tag names. */
  const majorVersion = [...remoteTags].filter(([name, named]) => named === majorCommit && /^v\d+\.\d+\.\d+$/.test(name))
    .map(([name]) => name.slice(1)).sort((a, b) => (newer(a, b) ? -1 : newer(b, a) ? 1 : 0))[0];
  const onDefaultBranch = (): boolean => {
    try {
      git("merge-base", "--is-ancestor", commit, defaultBranch!);
      return true;
    } catch {
      return false;
    }
  };
  if (majorCommit === commit) {
    log.push(`${major} already names ${commit.slice(0, 12)} on ${remote}: kept`);
  } else if (defaultBranch === undefined) {
    log.push(
      `${major} left alone: cannot tell ${remote}'s default branch; fetch it, or pass --default-branch ${remote}/main`,
    );
  } else if (!onDefaultBranch()) {
    log.push(
      `${major} left alone: ${tag} is not on ${given ?? `${remote}'s default branch`} (a backport or a branch release)`,
    );
  } else if (majorCommit !== undefined && (majorVersion === undefined || !newer(version, majorVersion))) {
    log.push(
      `${major} left alone: it names ${
        majorVersion ? `v${majorVersion}` : majorCommit.slice(0, 12)
      }, not older than ${tag}`,
    );
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
  const cwd = fileURLToPath(new URL("..", import.meta.url));
  const repository = repositoryOf(cwd, process.env, flag("--remote"));
  try {
    if (rest.includes("--check")) {
      if (!repository) {
        throw new ReleaseError(
          "Cannot tell which repository this release is for: set GITHUB_REPOSITORY=owner/name, or add the GitHub remote (git remote add origin …).",
        );
      }
      checkRelease(cwd, version ?? "", repository);
      checkWorkTree(cwd);
      console.log(`release: ${version} is ready: the docs name ${repository}, the format and dist/ are as built`);
      process.exit(0);
    }
    const { log } = release({
      cwd,
      version: version ?? "",
      remote: flag("--remote"),
      notesFile: flag("--notes"),
      defaultBranch: flag("--default-branch"),
      repository,
    });
    for (const line of log) console.log(`release: ${line}`);
  } catch (error) {
    console.error(`release: ${error instanceof ReleaseError ? error.message : (error as Error).message}`);
    process.exit(1);
  }
}
