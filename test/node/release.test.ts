/** Release-readiness: one version, the Marketplace's limits, the bundled licences, and the release script against a bare repository. */
import { afterEach, describe, expect, test } from "vitest";
import { execFileSync, spawnSync } from "node:child_process";
import { cpSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { ACTION, NODE_24 } from "../support/action.ts";
import { OWNER_FILES, ownerMismatches, release, releaseNotes, repositoryOf } from "../../scripts/release.ts";

const root = fileURLToPath(new URL("../..", import.meta.url));
const read = (path: string): string => readFileSync(join(root, path), "utf8");
const version = JSON.parse(read("package.json")).version as string;

describe("one version", () => {
  test("deno.json (JSR) says package.json's version; the npm package and the User-Agent take it from there", () => {
    expect(JSON.parse(read("deno.json")).version).toBe(version);
    expect(read("scripts/build-package.ts")).toMatch(
      /const \{ version, license \} = JSON\.parse\(readFileSync\(`\$\{root\}package\.json`/,
    );
    expect(read("src/main.ts")).toMatch(/const VERSION = packageJson\.version;/);
    // dist/index.js sending it as its User-Agent is checked end to end in action.test.ts.
  });

  test("CHANGELOG.md has a section for it", () => {
    expect(releaseNotes(read("CHANGELOG.md"), version).length).toBeGreaterThan(20);
  });
});

describe("the Marketplace's limits for action.yml", () => {
  const action = ACTION as unknown as {
    name: string;
    description: string;
    author: string;
    branding: { icon: string; color: string };
    inputs: Record<string, { description?: string }>;
    outputs: Record<string, { description?: string }>;
  };
  // The colours GitHub accepts, and a few of the Feather icons it accepts (the one used must be among them).
  const COLOURS = ["white", "black", "yellow", "blue", "green", "orange", "red", "purple", "gray-dark"];
  const ICONS = ["lock", "unlock", "shield", "key", "check-circle", "log-in", "user-check"];

  test("name and author are set; the description is under 125 characters", () => {
    expect(action.name.length).toBeGreaterThan(0);
    expect(action.name.length).toBeLessThanOrEqual(50);
    expect(action.author.length).toBeGreaterThan(0);
    expect(action.description.length).toBeLessThan(125);
  });

  test("branding uses an allowed icon and colour", () => {
    expect(ICONS).toContain(action.branding.icon);
    expect(COLOURS).toContain(action.branding.color);
  });

  test("every input and output is described", () => {
    for (const [name, spec] of [...Object.entries(action.inputs), ...Object.entries(action.outputs)]) {
      expect(spec.description?.trim(), name).toBeTruthy();
    }
  });
});

test("every package bundled in dist/, in any chunk, has its licence in dist/licenses.txt, on the allow-list", () => {
  const ALLOWED = ["MIT", "ISC", "Apache-2.0", "BSD-2-Clause", "BSD-3-Clause", "0BSD"];
  const entries = [...`\n\n${read("dist/licenses.txt")}`.matchAll(/\n\n(@?[a-z0-9][\w./-]*)\n([A-Za-z0-9.+\- ]+)\n/g)]
    .map((match) => [match[1], match[2]]);
  // ncc names each bundled module by its path: node_modules/<package>/…
  const chunks = readdirSync(join(root, "dist")).filter((name) => name.endsWith(".js"));
  // The success path parses only src/ and mod.ts: @actions/github and @actions/http-client are chunks of their own.
  expect(chunks.length).toBeGreaterThan(1);
  expect(read("dist/index.js")).not.toMatch(/node_modules\//);
  const bundled = new Set(
    chunks.flatMap((name) =>
      [...read(`dist/${name}`).matchAll(/node_modules\/((?:@[\w.-]+\/)?[\w.-]+)/g)].map((match) => match[1])
    ),
  );
  expect([...bundled]).toEqual(expect.arrayContaining(["@actions/github", "@actions/http-client", "undici"]));
  expect(entries.map(([name]) => name).sort()).toEqual([...bundled].sort());
  for (const [name, licence] of entries) expect(ALLOWED, `${name}: ${licence}`).toContain(licence);
});

describe("scripts/release.ts against a local bare repository", () => {
  let dir: string;
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  /** A bare "origin" and a clone of it with a release-ready commit at `version`. */
  function repositories(
    releaseVersion: string,
  ): { work: string; origin: string; git: (cwd: string, ...args: string[]) => string } {
    dir = mkdtempSync(join(tmpdir(), "itsyou-release-"));
    const git = (cwd: string, ...args: string[]): string => execFileSync("git", args, { cwd, encoding: "utf8" }).trim();
    const origin = join(dir, "origin.git");
    const work = join(dir, "work");
    git(dir, "init", "-q", "--bare", origin);
    git(dir, "clone", "-q", origin, work);
    git(work, "config", "user.email", "ci@example.com");
    git(work, "config", "user.name", "CI");
    commitVersion(work, git, releaseVersion);
    git(work, "push", "-q", "origin", "HEAD");
    return { work, origin, git };
  }
  function commitVersion(work: string, git: (cwd: string, ...args: string[]) => string, releaseVersion: string): void {
    writeFileSync(join(work, "package.json"), JSON.stringify({ version: releaseVersion }));
    writeFileSync(join(work, "deno.json"), JSON.stringify({ version: releaseVersion }));
    writeFileSync(
      join(work, "CHANGELOG.md"),
      `# Changelog\n\n## ${releaseVersion}\n\n- Things for ${releaseVersion}.\n\n## 0.0.1\n\n- Old.\n`,
    );
    git(work, "add", "-A");
    git(work, "commit", "-q", "-m", `release ${releaseVersion}`);
  }

  test("creates vX.Y.Z, moves v1 to it, writes the notes; a second release moves v1 and leaves v1.0.0", () => {
    const { work, origin, git } = repositories("1.0.0");
    const notes = join(dir, "notes.md");
    const first = release({ cwd: work, version: "1.0.0", notesFile: notes });
    expect(first.tags).toEqual(["v1.0.0", "v1"]);
    expect(git(origin, "rev-parse", "v1.0.0^{commit}")).toBe(first.commit);
    expect(git(origin, "rev-parse", "v1^{commit}")).toBe(first.commit);
    expect(readFileSync(notes, "utf8")).toBe("- Things for 1.0.0.\n");

    commitVersion(work, git, "1.1.0");
    git(work, "push", "-q", "origin", "HEAD");
    const second = release({ cwd: work, version: "1.1.0" });
    expect(second.commit).not.toBe(first.commit);
    expect(git(origin, "rev-parse", "v1^{commit}")).toBe(second.commit);
    expect(git(origin, "rev-parse", "v1.0.0^{commit}")).toBe(first.commit);
    expect(git(origin, "rev-parse", "v1.1.0^{commit}")).toBe(second.commit);
  });

  test("the major tag only moves forward: re-running 1.0.0 after 1.1.0 leaves v1 at 1.1.0 and says so", () => {
    const { work, origin, git } = repositories("1.0.0");
    const branch = `origin/${git(work, "rev-parse", "--abbrev-ref", "HEAD")}`;
    const first = release({ cwd: work, version: "1.0.0", defaultBranch: branch });
    commitVersion(work, git, "1.1.0");
    git(work, "push", "-q", "origin", "HEAD");
    const second = release({ cwd: work, version: "1.1.0", defaultBranch: branch });
    expect(git(origin, "rev-parse", "v1^{commit}")).toBe(second.commit);
    git(work, "checkout", "-q", "v1.0.0");
    const rerun = release({ cwd: work, version: "1.0.0", defaultBranch: branch });
    expect(rerun.commit).toBe(first.commit);
    expect(rerun.tags).toEqual([]);
    expect(rerun.log).toContain("v1 left alone: it names v1.1.0, not older than v1.0.0");
    expect(git(origin, "rev-parse", "v1^{commit}")).toBe(second.commit);
  });

  test("a backport (1.0.1 on a branch from 1.0.0, after 1.1.0) is tagged; v1 is left alone, off the default branch", () => {
    const { work, origin, git } = repositories("1.0.0");
    const main = git(work, "rev-parse", "--abbrev-ref", "HEAD");
    release({ cwd: work, version: "1.0.0", defaultBranch: `origin/${main}` });
    commitVersion(work, git, "1.1.0");
    git(work, "push", "-q", "origin", "HEAD");
    const latest = release({ cwd: work, version: "1.1.0", defaultBranch: `origin/${main}` });
    git(work, "checkout", "-q", "-b", "v1.0.x", "v1.0.0");
    commitVersion(work, git, "1.0.1");
    const backport = release({ cwd: work, version: "1.0.1", defaultBranch: `origin/${main}` });
    expect(backport.tags).toEqual(["v1.0.1"]);
    expect(backport.log).toContain(`v1 left alone: v1.0.1 is not on origin/${main} (a backport or a branch release)`);
    expect(git(origin, "rev-parse", "v1.0.1^{commit}")).toBe(backport.commit);
    expect(git(origin, "rev-parse", "v1^{commit}")).toBe(latest.commit);
  });

  test("a newer version on a commit that is not on the default branch is tagged, and does not become v1", () => {
    const { work, origin, git } = repositories("1.0.0");
    const main = git(work, "rev-parse", "--abbrev-ref", "HEAD");
    const first = release({ cwd: work, version: "1.0.0", defaultBranch: `origin/${main}` });
    git(work, "checkout", "-q", "-b", "experiment");
    commitVersion(work, git, "1.2.0");
    const offBranch = release({ cwd: work, version: "1.2.0", defaultBranch: `origin/${main}` });
    expect(offBranch.tags).toEqual(["v1.2.0"]);
    expect(git(origin, "rev-parse", "v1^{commit}")).toBe(first.commit);
  });

  test("run by hand with no flags, the default branch is the remote's: a re-run, a backport and an off-branch release leave v1 and say why", () => {
    const { work, origin, git } = repositories("1.0.0");
    expect(release({ cwd: work, version: "1.0.0" }).tags).toEqual(["v1.0.0", "v1"]);
    commitVersion(work, git, "1.1.0");
    git(work, "push", "-q", "origin", "HEAD");
    const latest = release({ cwd: work, version: "1.1.0" });
    expect(latest.tags).toEqual(["v1.1.0", "v1"]);
    git(work, "checkout", "-q", "v1.0.0");
    expect(release({ cwd: work, version: "1.0.0" }).log).toContain(
      "v1 left alone: it names v1.1.0, not older than v1.0.0",
    );
    git(work, "checkout", "-q", "-b", "v1.0.x", "v1.0.0");
    commitVersion(work, git, "1.0.1");
    expect(release({ cwd: work, version: "1.0.1" }).log).toContain(
      "v1 left alone: v1.0.1 is not on origin's default branch (a backport or a branch release)",
    );
    git(work, "checkout", "-q", "-b", "experiment", "v1.1.0");
    commitVersion(work, git, "1.2.0");
    const offBranch = release({ cwd: work, version: "1.2.0" });
    expect(offBranch.tags).toEqual(["v1.2.0"]);
    expect(offBranch.log).toContain(
      "v1 left alone: v1.2.0 is not on origin's default branch (a backport or a branch release)",
    );
    expect(git(origin, "rev-parse", "v1^{commit}")).toBe(latest.commit);
  });

  test("a remote whose default branch cannot be told: vX.Y.Z is tagged, v1 is not moved, and it says what to pass", () => {
    const { work, origin, git } = repositories("1.0.0");
    git(origin, "symbolic-ref", "HEAD", "refs/heads/nowhere");
    const result = release({ cwd: work, version: "1.0.0" });
    expect(result.tags).toEqual(["v1.0.0"]);
    expect(result.log).toContain(
      "v1 left alone: cannot tell origin's default branch; fetch it, or pass --default-branch origin/main",
    );
  });

  test("repositoryOf(): GITHUB_REPOSITORY, else the GitHub remote (https or ssh), else nothing", () => {
    const { work, git } = repositories("1.0.0");
    expect(repositoryOf(work, { GITHUB_REPOSITORY: "octo/itsyou-token-action" })).toBe("octo/itsyou-token-action");
    expect(repositoryOf(work, {})).toBeUndefined(); // a local bare repository is no GitHub repository
    git(work, "remote", "set-url", "origin", "https://github.com/octo/itsyou-token-action.git");
    expect(repositoryOf(work, {})).toBe("octo/itsyou-token-action");
    git(work, "remote", "set-url", "origin", "git@github.com:octo-2/itsyou-token-action.git");
    expect(repositoryOf(work, {})).toBe("octo-2/itsyou-token-action");
    git(work, "remote", "remove", "origin");
    expect(repositoryOf(work, {})).toBeUndefined();
  });

  test("the docs must name the repository the release runs in: the placeholder owner is refused, saying which files", () => {
    const { work, git } = repositories("1.0.0");
    writeFileSync(join(work, "README.md"), "uses: org/itsyou-token-action@v1\n");
    writeFileSync(join(work, "SECURITY.md"), "https://github.com/octo/itsyou-token-action/security\n");
    git(work, "add", "-A");
    git(work, "commit", "-q", "-m", "docs");
    expect(ownerMismatches(work, "octo/itsyou-token-action")).toEqual(["README.md: org/itsyou-token-action"]);
    expect(() => release({ cwd: work, version: "1.0.0", repository: "octo/itsyou-token-action" })).toThrow(
      /The docs name another repository than octo\/itsyou-token-action, where this release runs \(README\.md: org\/itsyou-token-action\): replace the owner in README\.md and commit\./,
    );
    writeFileSync(join(work, "README.md"), "uses: octo/itsyou-token-action@v1\n");
    git(work, "commit", "-q", "-am", "owner");
    git(work, "push", "-q", "origin", "HEAD");
    expect(release({ cwd: work, version: "1.0.0", repository: "octo/itsyou-token-action" }).tags).toEqual([
      "v1.0.0",
      "v1",
    ]);
  });

  test("accepts a tag already at HEAD (the workflow runs on a pushed tag)", () => {
    const { work, origin, git } = repositories("2.0.0");
    git(work, "tag", "-a", "v2.0.0", "-m", "v2.0.0");
    const { commit } = release({ cwd: work, version: "2.0.0" });
    expect(git(origin, "rev-parse", "v2^{commit}")).toBe(commit);
  });

  test("a person pushed the annotated tag, the workflow's copy is lightweight: nothing is refused, the tag is not pushed again; a second run pushes nothing", () => {
    const { work, origin, git } = repositories("1.0.0");
    git(work, "tag", "-a", "v1.0.0", "-m", "v1.0.0 by a person");
    git(work, "push", "-q", "origin", "refs/tags/v1.0.0");
    const annotated = git(origin, "rev-parse", "refs/tags/v1.0.0");
    // What actions/checkout before v6.0.2 leaves: the same name as a lightweight tag.
    git(work, "tag", "-d", "v1.0.0");
    git(work, "tag", "v1.0.0", "HEAD");
    expect(git(work, "cat-file", "-t", "v1.0.0")).toBe("commit");

    const first = release({ cwd: work, version: "1.0.0" });
    expect(first.tags).toEqual(["v1"]);
    expect(first.log).toEqual([
      `v1.0.0 already names ${first.commit.slice(0, 12)} on origin: kept`,
      "v1 moved to v1.0.0 on origin",
    ]);
    expect(git(origin, "rev-parse", "refs/tags/v1.0.0")).toBe(annotated); // the person's annotated tag, untouched
    expect(git(origin, "rev-parse", "v1^{commit}")).toBe(first.commit);

    const second = release({ cwd: work, version: "1.0.0" });
    expect(second.tags).toEqual([]);
    expect(second.log).toEqual([
      `v1.0.0 already names ${first.commit.slice(0, 12)} on origin: kept`,
      `v1 already names ${first.commit.slice(0, 12)} on origin: kept`,
    ]);
  });

  test("a tag only on the remote (none here) is accepted and not pushed again", () => {
    const { work, origin, git } = repositories("1.2.0");
    git(work, "tag", "-a", "v1.2.0", "-m", "v1.2.0");
    git(work, "push", "-q", "origin", "refs/tags/v1.2.0");
    git(work, "tag", "-d", "v1.2.0");
    const result = release({ cwd: work, version: "1.2.0" });
    expect(result.tags).toEqual(["v1"]);
    expect(git(origin, "rev-parse", "v1.2.0^{commit}")).toBe(result.commit);
  });

  test("a tag on the remote that names another commit is refused, pushing nothing", () => {
    const { work, origin, git } = repositories("1.0.0");
    git(work, "tag", "v1.0.0", "HEAD");
    git(work, "push", "-q", "origin", "refs/tags/v1.0.0");
    git(work, "tag", "-d", "v1.0.0");
    git(work, "commit", "-q", "--allow-empty", "-m", "later");
    expect(() => release({ cwd: work, version: "1.0.0" })).toThrow(
      /v1\.0\.0 already names commit .* on origin, not HEAD/,
    );
    expect(git(origin, "tag", "--list")).toBe("v1.0.0");
  });

  test.each([
    [
      "a version package.json does not say",
      "1.0.1",
      (work: string) => work,
      /package\.json says version 1\.0\.0, not 1\.0\.1/,
    ],
    [
      "no CHANGELOG section",
      "1.0.0",
      (work: string) => (writeFileSync(join(work, "CHANGELOG.md"), "# Changelog\n"), work),
      /no "## 1\.0\.0" section/,
    ],
    [
      "uncommitted changes",
      "1.0.0",
      (work: string) => (writeFileSync(join(work, "extra.txt"), "x"), work),
      /uncommitted changes/,
    ],
    ["not a version", "1.0", (work: string) => work, /not a version X\.Y\.Z/],
  ])("refuses %s, pushing nothing", (_, releaseVersion, prepare, message) => {
    const { work, origin, git } = repositories("1.0.0");
    expect(() => release({ cwd: prepare(work), version: releaseVersion })).toThrow(message);
    expect(git(origin, "tag", "--list")).toBe("");
  });

  test("refuses to move a released version to another commit", () => {
    const { work, git } = repositories("1.0.0");
    release({ cwd: work, version: "1.0.0" });
    git(work, "commit", "-q", "--allow-empty", "-m", "later");
    expect(() => release({ cwd: work, version: "1.0.0" })).toThrow(
      /v1\.0\.0 already names commit .* here, not HEAD: a released version is never moved/,
    );
  });
});

test(
  "npm run set-owner -- OWNER in a scratch copy: then release.ts --check (owner, format, dist/) passes, and no org/ is left",
  () => {
    // Inside the repository's ignored results folder, so that node_modules can be hard-linked (same file system) and
    // ncc sees the same layout (its chunk names depend on where node_modules lies).
    mkdirSync(join(root, ".test-results"), { recursive: true });
    const copy = mkdtempSync(join(root, ".test-results", "owner-"));
    try {
      const files = execFileSync("git", ["ls-files", "-z", "--cached", "--others", "--exclude-standard"], {
        cwd: root,
        encoding: "utf8",
      }).split("\0").filter(
        Boolean,
      );
      for (const file of files) cpSync(join(root, file), join(copy, file));
      execFileSync("cp", ["-al", join(root, "node_modules"), join(copy, "node_modules")]);
      const env = { ...process.env, PATH: `${join(root, "node_modules/.bin")}:${process.env.PATH}` };
      const check = (repository?: string) =>
        spawnSync(NODE_24, ["scripts/run.mjs", "scripts/release.ts", "1.0.0", "--check"], {
          cwd: copy,
          env: { ...env, GITHUB_REPOSITORY: repository ?? "" },
          encoding: "utf8",
        });
      // Before: without a repository it refuses to say ready (no remote here); with one, the docs still name org/.
      expect(check().stderr).toMatch(
        /^release: Cannot tell which repository this release is for: set GITHUB_REPOSITORY/,
      );
      expect(check("octo-rehearsal/itsyou-token-action").stderr).toMatch(/The docs name another repository/);
      const set = spawnSync("npm", ["run", "set-owner", "--silent", "--", "octo-rehearsal"], {
        cwd: copy,
        env,
        encoding: "utf8",
      });
      expect(set.status, set.stderr).toBe(0);
      expect(set.stdout).toMatch(
        /set-owner: octo-rehearsal\/itsyou-token-action in .*mod\.ts.*; formatted; dist\/ rebuilt/,
      );
      const ready = check("octo-rehearsal/itsyou-token-action");
      expect(ready.stderr).toBe("");
      expect(ready.stdout).toMatch(/release: 1\.0\.0 is ready: the docs name octo-rehearsal\/itsyou-token-action/);
      for (const file of [...OWNER_FILES, ...readdirSync(join(copy, "dist")).map((name) => `dist/${name}`)]) {
        expect(readFileSync(join(copy, file), "utf8"), file).not.toContain("org/itsyou-token-action");
      }
    } finally {
      rmSync(copy, { recursive: true, force: true });
    }
  },
  240_000,
);

describe("the major version the docs promise is the one a release creates", () => {
  /** Where users copy names from: the files the release checks for the owner, and the examples. */
  const docFiles = (): string[] => [...OWNER_FILES, ...exampleFiles()];

  test("every org/itsyou-token-action@vN, jsr:@itsyou/token@^N and @itsyou/token@^N names package.json's major", () => {
    const major = version.split(".")[0];
    expect(Number(major)).toBeGreaterThanOrEqual(1);
    const found: string[] = [];
    for (const file of docFiles()) {
      for (const match of read(file).matchAll(/itsyou-token-action@v(\d+)|@itsyou\/token@\^(\d+)/g)) {
        found.push(`${file}: ${match[0]}`);
        expect(match[1] ?? match[2], `${file}: ${match[0]}`).toBe(major);
      }
    }
    expect(found.length).toBeGreaterThanOrEqual(5);
  });

  test("no Deno import names a raw file at a moving tag (…/v1/mod.ts): Deno's lockfile refuses it once the tag moves", () => {
    const moving: string[] = [];
    for (const file of docFiles()) {
      for (const match of read(file).matchAll(/itsyou-token-action\/(v\d+(?:\.\d+)?|main)\/(mod|cli)\.ts/g)) {
        moving.push(`${file}: ${match[0]}`);
      }
    }
    expect(moving).toEqual([]);
    expect("…/itsyou-token-action/v1/mod.ts".match(/itsyou-token-action\/(v\d+(?:\.\d+)?|main)\/(mod|cli)\.ts/)).not
      .toBeNull();
  });
});

/** The examples users copy, if any (examples/). */
function exampleFiles(): string[] {
  const dir = join(root, "examples");
  if (!existsSync(dir)) return [];
  return readdirSync(dir, { recursive: true, encoding: "utf8" }).filter((name) => /\.(ts|js|ya?ml|md)$/.test(name)).map(
    (name) => `examples/${name}`,
  );
}
