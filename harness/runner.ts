/**
 * Runs dist/index.js as the Actions runner does (used by the tests, `npm start` and the benchmark): a child process under the
 * runtime action.yml declares (Node 24 from node_modules), every declared input
 * as INPUT_<NAME> (the workflow's value, else the default, else empty), and
 * GITHUB_OUTPUT, GITHUB_ENV, GITHUB_PATH and GITHUB_STEP_SUMMARY pointing at
 * files; and what a later step of the same job then gets from them.
 */
import { spawn } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { delimiter, join } from "node:path";
import { fileURLToPath } from "node:url";
import { parse } from "yaml";

const root = fileURLToPath(new URL("..", import.meta.url));
/** The Node that action.yml's `node24` means: npm ci's Node 24 where it installs (linux-x64), else this Node. */
export const NODE_24 = existsSync(join(root, "node_modules/.bin/node"))
  ? join(root, "node_modules/.bin/node")
  : process.execPath;
export const ACTION = parse(readFileSync(join(root, "action.yml"), "utf8")) as {
  inputs: Record<string, { default?: string; required?: boolean }>;
  outputs: Record<string, unknown>;
  runs: { using: string; main: string };
};

export interface ActionRun {
  status: number | null;
  stdout: string;
  stderr: string;
  /** Parsed from the GITHUB_OUTPUT file. */
  outputs: Record<string, string>;
  /** Parsed from the GITHUB_ENV file. */
  env: Record<string, string>;
  /** The folders appended to the GITHUB_PATH file, in order. */
  path: string[];
  outputsFile: string;
  summary: string;
}

/** The runner's environment for a step `with:` these inputs. */
export function runnerEnvironment(inputs: Record<string, string>, dir: string): Record<string, string> {
  for (const name of Object.keys(inputs)) {
    if (!(name in ACTION.inputs)) throw new Error(`action.yml declares no input ${name}`);
  }
  const env: Record<string, string> = {
    PATH: process.env.PATH ?? "",
    GITHUB_OUTPUT: join(dir, "output"),
    GITHUB_ENV: join(dir, "env"),
    GITHUB_PATH: join(dir, "path"),
    GITHUB_STEP_SUMMARY: join(dir, "summary"),
    GITHUB_REPOSITORY: "octo-org/deploy-repo",
    GITHUB_RUN_ID: "4242",
    GITHUB_ACTIONS: "true",
    RUNNER_TEMP: dir,
  };
  for (const [name, spec] of Object.entries(ACTION.inputs)) {
    env[`INPUT_${name.replace(/ /g, "_").toUpperCase()}`] = inputs[name] ?? spec.default ?? "";
  }
  return env;
}

/**
 * Runs the action once as a workflow step `with:` these inputs; `extraEnv` adds to the runner's environment.
 * The step's files and RUNNER_TEMP are a new folder, removed afterwards, unless `jobDir` names the job's own
 * folder (which its caller removes), so that later steps can use what the step left there.
 */
export async function runAction(
  inputs: Record<string, string>,
  extraEnv: Record<string, string> = {},
  jobDir?: string,
): Promise<ActionRun> {
  const dir = jobDir ?? mkdtempSync(join(tmpdir(), "itsyou-action-"));
  try {
    const runner = runnerEnvironment(inputs, dir);
    for (const file of [runner.GITHUB_OUTPUT, runner.GITHUB_ENV, runner.GITHUB_PATH, runner.GITHUB_STEP_SUMMARY]) {
      writeFileSync(file, "");
    }
    const env = { ...runner, ...extraEnv };
    const child = spawn(NODE_24, [join(root, ACTION.runs.main)], { env, cwd: dir });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (chunk) => (stdout += chunk));
    child.stderr.on("data", (chunk) => (stderr += chunk));
    const status = await new Promise<number | null>((resolve) => child.on("close", resolve));
    // A file the caller pointed elsewhere (to test a failing runner) reads as empty.
    const read = (file: string): string => (file.startsWith(dir) ? readFileSync(file, "utf8") : "");
    const outputsFile = read(env.GITHUB_OUTPUT);
    return {
      status,
      stdout,
      stderr,
      outputs: parseFileCommands(outputsFile),
      env: parseFileCommands(read(env.GITHUB_ENV)),
      path: read(env.GITHUB_PATH).split(/\r?\n/).filter((line) => line !== ""),
      outputsFile,
      summary: read(env.GITHUB_STEP_SUMMARY),
    };
  } finally {
    if (!jobDir) rmSync(dir, { recursive: true, force: true });
  }
}

/**
 * The environment the runner gives a later step of the job: `base`, what the step wrote to GITHUB_ENV, and
 * PATH with the folders it wrote to GITHUB_PATH in front, the last one first.
 */
export function laterStepEnvironment(run: ActionRun, base: Record<string, string>): Record<string, string> {
  return { ...base, ...run.env, PATH: [...run.path].reverse().concat(base.PATH ?? "").join(delimiter) };
}

/** The runner's `name<<delimiter` file format (and plain `name=value` lines); a line ends at LF or CRLF. */
export function parseFileCommands(text: string): Record<string, string> {
  const result: Record<string, string> = {};
  const lines = text.split(/\r?\n/);
  for (let i = 0; i < lines.length; i++) {
    const heredoc = /^([^=<]+)<<(.+)$/.exec(lines[i]);
    if (heredoc) {
      const end = lines.indexOf(heredoc[2], i + 1);
      if (end < 0) throw new Error(`unterminated ${heredoc[1]}`);
      result[heredoc[1]] = lines.slice(i + 1, end).join("\n");
      i = end;
    } else if (lines[i].includes("=")) {
      const at = lines[i].indexOf("=");
      result[lines[i].slice(0, at)] = lines[i].slice(at + 1);
    } else if (lines[i] !== "") {
      throw new Error(`unreadable line in a file command: ${lines[i].slice(0, 30)}`);
    }
  }
  return result;
}

/** A later step's `run:` script under sh, with this environment; asynchronous, so an in-process server answers. */
export async function runLaterStep(
  script: string,
  env: Record<string, string>,
): Promise<{ status: number | null; stdout: string; stderr: string }> {
  const step = spawn("sh", ["-e", "-c", script], { env });
  let stdout = "";
  let stderr = "";
  step.stdout.on("data", (chunk) => (stdout += chunk));
  step.stderr.on("data", (chunk) => (stderr += chunk));
  const status = await new Promise<number | null>((resolve) => step.on("close", resolve));
  return { status, stdout, stderr };
}
