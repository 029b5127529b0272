/**
 * @actions/core, the action's runner interface, against the runner's reading of what it writes: a command's
 * data unescaped as the runner unescapes it (%25, %0D, %0A), and the file commands read back as the runner reads
 * `name<<delimiter` blocks, with the LF line ends @actions/core writes on Linux and macOS and the CRLF ones
 * (os.EOL) it writes on Windows.
 */
import { afterEach, beforeEach, describe, expect, test, vi } from "vitest";
import fc from "fast-check";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import * as core from "@actions/core";
import { parseFileCommands } from "../support/action.ts";

/** The runner's unescaping of a command's data (actions/runner ActionCommand.UnescapeData). */
const unescape = (data: string): string => data.replace(/%0D/g, "\r").replace(/%0A/g, "\n").replace(/%25/g, "%");

let dir: string;
let written: string;
const saved = { ...process.env };
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), "itsyou-runner-files-"));
  for (const name of ["output", "env"]) writeFileSync(join(dir, name), "");
  Object.assign(process.env, { GITHUB_OUTPUT: join(dir, "output"), GITHUB_ENV: join(dir, "env") });
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
  test("any text masked or logged is one line that the runner reads back exactly", () => {
    fc.assert(fc.property(fc.string({ unit: "binary", maxLength: 200 }), (text) => {
      for (const [name, write] of [["add-mask", core.setSecret], ["debug", core.debug]] as const) {
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
    core.setFailed("itsyou-token-action: 100% wrong\nsecond line");
    expect(written).toBe("::error::itsyou-token-action: 100%25 wrong%0Asecond line\n");
    expect(process.exitCode).toBe(1);
  });
});

describe("the output and environment files", () => {
  /** Values as the action's outputs are: one line each (tokens, dates, scopes), any characters otherwise. */
  const oneLine = fc.string({ unit: "binary", maxLength: 100 }).filter((value) => !/[\r\n]/.test(value));
  const outputs = fc.dictionary(fc.stringMatching(/^[a-z][a-z-]{0,19}$/), oneLine, { maxKeys: 12 });

  test("any set of outputs reads back exactly, each under a delimiter of its own, with LF or CRLF line ends", () => {
    fc.assert(fc.property(outputs, (values) => {
      writeFileSync(process.env.GITHUB_OUTPUT!, "");
      for (const [name, value] of Object.entries(values)) core.setOutput(name, value);
      const file = readFileSync(process.env.GITHUB_OUTPUT!, "utf8");
      expect(parseFileCommands(file)).toEqual(values);
      // On Windows os.EOL is CRLF: every line end @actions/core writes is one, and the runner reads the same.
      expect(parseFileCommands(file.replace(/\n/g, "\r\n"))).toEqual(values);
      const delimiters = [...file.matchAll(/<<(.+)\n/g)].map((match) => match[1]);
      expect(new Set(delimiters).size).toBe(Object.keys(values).length);
    }));
  });

  test("a value cannot end its block early: a line equal to another delimiter stays inside", () => {
    core.setOutput("first", "x");
    const delimiter = /<<(.+)\n/.exec(readFileSync(process.env.GITHUB_OUTPUT!, "utf8"))![1];
    core.setOutput("second", `${delimiter} then more`);
    expect(parseFileCommands(readFileSync(process.env.GITHUB_OUTPUT!, "utf8"))).toEqual({
      first: "x",
      second: `${delimiter} then more`,
    });
  });

  test("exportVariable: the GITHUB_ENV file and this process", () => {
    core.exportVariable("ITSYOU_JWT", "a.b.c");
    expect(parseFileCommands(readFileSync(process.env.GITHUB_ENV!, "utf8"))).toEqual({ ITSYOU_JWT: "a.b.c" });
    expect(process.env.ITSYOU_JWT).toBe("a.b.c");
  });
});
