/**
 * The runner's side of a step, as GitHub documents it ("Workflow commands for
 * GitHub Actions"): `::add-mask::`, `::debug::` and `::error::` lines on
 * stdout, and the GITHUB_OUTPUT, GITHUB_ENV and GITHUB_STEP_SUMMARY files.
 * The few lines the action needs of `@actions/core`, without loading it:
 * it and `undici`, which it imports, were most of the action's start (bench/).
 */
import { randomUUID } from "node:crypto";
import { appendFileSync } from "node:fs";

/** A command's data: `%`, CR and LF escaped, which the runner reverses. */
function escapeData(text: string): string {
  return text.replace(/%/g, "%25").replace(/\r/g, "%0D").replace(/\n/g, "%0A");
}

function command(name: string, text: string): void {
  process.stdout.write(`::${name}::${escapeData(text)}\n`);
}

/** The runner replaces `value` by `***` in every later log line. */
export const setSecret = (value: string): void => command("add-mask", value);
/** Shown only when step debug logging is on. */
export const debug = (text: string): void => command("debug", text);
export const info = (text: string): void => void process.stdout.write(`${text}\n`);
/** An error annotation, and the step fails. */
export function setFailed(text: string): void {
  process.exitCode = 1;
  command("error", text);
}

/**
 * `name<<delimiter` / value / delimiter. The delimiter is new for each value and random (a v4 UUID, 122 bits), so
 * no value, whatever the server sent, can end its block early and set another output.
 */
function appendKeyValue(variable: "GITHUB_OUTPUT" | "GITHUB_ENV", name: string, value: string): void {
  const file = process.env[variable];
  if (!file) throw new Error(`${variable} is not set: run this action as a step on a GitHub Actions runner.`);
  const delimiter = `ghadelimiter_${randomUUID()}`;
  appendFileSync(file, `${name}<<${delimiter}\n${value}\n${delimiter}\n`);
}

export const setOutput = (name: string, value: string): void => appendKeyValue("GITHUB_OUTPUT", name, value);

/** For the later steps of the job (and this process). */
export function exportVariable(name: string, value: string): void {
  process.env[name] = value;
  appendKeyValue("GITHUB_ENV", name, value);
}

/** Appends HTML to the job summary, if the runner has one. */
export function appendSummary(html: string): void {
  const file = process.env.GITHUB_STEP_SUMMARY;
  if (file) appendFileSync(file, html);
}
