/**
 * src/commands.ts against the runner's reading of what it writes: a command's
 * data unescaped as the runner unescapes it (%25, %0D, %0A), and the file
 * commands read back as the runner reads `name<<delimiter` blocks.
 */
import { afterEach, beforeEach, describe, expect, test, vi } from "vitest";
import fc from "fast-check";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import * as runner from "../../src/commands.ts";
import { parseFileCommands } from "../support/action.ts";

/** The runner's unescaping of a command's data (actions/runner ActionCommand.UnescapeData). */
const unescape = (data: string): string => data.replace(/%0D/g, "\r").replace(/%0A/g, "\n").replace(/%25/g, "%");

let dir: string;
let written: string;
const saved = { ...process.env };
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), "itsyou-commands-"));
  for (const name of ["output", "env", "summary"]) writeFileSync(join(dir, name), "");
  Object.assign(process.env, {
    GITHUB_OUTPUT: join(dir, "output"),
    GITHUB_ENV: join(dir, "env"),
    GITHUB_STEP_SUMMARY: join(dir, "summary"),
  });
  written = "";
  vi.spyOn(process.stdout, "write").mockImplementation((chunk) => {
    written += String(chunk);
    return true;
  });
});
afterEach(() => {
  vi.restoreAllMocks();
  process.env = { ...saved };
  process.exitCode = undefined;
  rmSync(dir, { recursive: true, force: true });
});

describe("commands on stdout", () => {
  test("any text is one line that the runner reads back exactly", () => {
    fc.assert(fc.property(fc.string({ unit: "binary", maxLength: 200 }), (text) => {
      for (const [name, write] of [["add-mask", runner.setSecret], ["debug", runner.debug]] as const) {
        written = "";
        write(text);
        expect(written.endsWith("\n")).toBe(true);
        const line = written.slice(0, -1);
        expect(line).not.toMatch(/[\r\n]/);
        expect(line.startsWith(`::${name}::`)).toBe(true);
        expect(unescape(line.slice(`::${name}::`.length))).toBe(text);
      }
    }));
  });

  test("setFailed: one ::error:: line and exit code 1", () => {
    runner.setFailed("itsyou-token-action: 100% wrong\nsecond line");
    expect(written).toBe("::error::itsyou-token-action: 100%25 wrong%0Asecond line\n");
    expect(process.exitCode).toBe(1);
  });
});

describe("file commands", () => {
  test("outputs and variables read back exactly, each under a delimiter of its own", () => {
    // The runner reads the file line by line (a lone CR ends a line there too): values without CR.
    const value = fc.string({ unit: "grapheme", maxLength: 100 }).filter((text) => !text.includes("\r"));
    fc.assert(
      fc.property(fc.array(fc.tuple(fc.stringMatching(/^[a-z][a-z-]{0,15}$/), value), { maxLength: 6 }), (pairs) => {
        writeFileSync(process.env.GITHUB_OUTPUT!, "");
        for (const [name, text] of pairs) runner.setOutput(name, text);
        const expected = Object.fromEntries(pairs);
        expect(parseFileCommands(readFileSync(process.env.GITHUB_OUTPUT!, "utf8"))).toEqual(expected);
        const delimiters = [...readFileSync(process.env.GITHUB_OUTPUT!, "utf8").matchAll(/^[a-z-]+<<(.+)$/gm)].map((
          match,
        ) => match[1]);
        expect(new Set(delimiters).size).toBe(pairs.length);
      }),
    );
  });

  test("exportVariable: the GITHUB_ENV file and this process", () => {
    runner.exportVariable("ITSYOU_JWT", "a.b.c");
    expect(parseFileCommands(readFileSync(process.env.GITHUB_ENV!, "utf8"))).toEqual({ ITSYOU_JWT: "a.b.c" });
    expect(process.env.ITSYOU_JWT).toBe("a.b.c");
  });

  test("no GITHUB_OUTPUT: an error saying where to run the action, nothing written", () => {
    delete process.env.GITHUB_OUTPUT;
    expect(() => runner.setOutput("jwt", "a.b.c")).toThrow(
      "GITHUB_OUTPUT is not set: run this action as a step on a GitHub Actions runner.",
    );
    expect(written).toBe("");
  });

  test("the summary is appended to, and skipped where the runner has none", () => {
    runner.appendSummary("<h3>one</h3>\n");
    runner.appendSummary("<h3>two</h3>\n");
    expect(readFileSync(process.env.GITHUB_STEP_SUMMARY!, "utf8")).toBe("<h3>one</h3>\n<h3>two</h3>\n");
    const file = process.env.GITHUB_STEP_SUMMARY!;
    delete process.env.GITHUB_STEP_SUMMARY;
    runner.appendSummary("<h3>three</h3>\n");
    expect(readFileSync(file, "utf8")).toBe("<h3>one</h3>\n<h3>two</h3>\n");
  });
});
