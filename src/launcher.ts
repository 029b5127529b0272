/**
 * The `itsyou-token` command for the rest of the job: a launcher in a folder of its own under RUNNER_TEMP, which
 * the action adds to the job's PATH (GITHUB_PATH). It runs this commit's dist/index.js as the command line
 * (src/command.ts) on the Node the action ran on, with the settings of the action's step: nothing is downloaded,
 * and a later step reaches the same server the same way without repeating anything.
 */
import { chmodSync, mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { COMMAND_FLAG } from "./command.ts";
import { PROXY_VARIABLES } from "./fetch.ts";

/**
 * What the command takes from the action's step, each only where the later step does not set its own: the
 * server, the CA that Node trusts beside its own (made absolute, as a later step may run elsewhere), and the
 * proxy variables. Nothing secret: tokens reach later steps only through outputs, or `export-env`.
 */
function carriedSettings(baseUrl: string, env: NodeJS.ProcessEnv): [string, string][] {
  const carried: [string, string][] = [["ITSYOU_BASE_URL", baseUrl]];
  if (env.NODE_EXTRA_CA_CERTS) carried.push(["NODE_EXTRA_CA_CERTS", resolve(env.NODE_EXTRA_CA_CERTS)]);
  for (const name of [...PROXY_VARIABLES, "no_proxy", "NO_PROXY"]) {
    if (env[name]?.trim()) carried.push([name, env[name]!]);
  }
  return carried;
}

/** A POSIX shell word that is exactly `text`. */
const shellWord = (text: string): string => `'${text.replace(/'/g, `'\\''`)}'`;

/** The launcher for sh (Linux, macOS, and Git Bash on Windows, which wants forward slashes). */
function shellLauncher(node: string, entry: string, carried: [string, string][], version: string): string {
  const path = (file: string): string => shellWord(process.platform === "win32" ? file.replace(/\\/g, "/") : file);
  return [
    "#!/bin/sh",
    `# itsyou-token ${version}, installed by itsyou-token-action for the rest of this job.`,
    ...carried.map(([name, value]) =>
      `if [ -z "\${${name}:-}" ]; then ${name}=${shellWord(value)}; export ${name}; fi`
    ),
    `exec ${path(node)} ${path(entry)} ${COMMAND_FLAG} "$@"`,
    "",
  ].join("\n");
}

/** The launcher for cmd and PowerShell on Windows; `%` is doubled, a value with `"` cannot be written there. */
function cmdLauncher(node: string, entry: string, carried: [string, string][], version: string): string {
  const value = (text: string): string => text.replace(/%/g, "%%");
  return [
    "@echo off",
    `rem itsyou-token ${version}, installed by itsyou-token-action for the rest of this job.`,
    "setlocal",
    ...carried.filter(([, text]) => !text.includes('"')).map(([name, text]) =>
      `if not defined ${name} set "${name}=${value(text)}"`
    ),
    `"${value(node)}" "${value(entry)}" ${COMMAND_FLAG} %*`,
    "",
  ].join("\r\n");
}

/**
 * Writes the launchers (`itsyou-token` for sh, and `itsyou-token.cmd` on Windows) into a new folder under
 * RUNNER_TEMP, readable by this user only, and returns the folder to add to the job's PATH.
 */
export function installCommand(baseUrl: string, version: string, env: NodeJS.ProcessEnv = process.env): string {
  const dir = mkdtempSync(join(env.RUNNER_TEMP || tmpdir(), "itsyou-token-"));
  // dist/index.js, whichever of dist/'s files this code was bundled into.
  const entry = join(dirname(fileURLToPath(import.meta.url)), "index.js");
  const carried = carriedSettings(baseUrl, env);
  writeFileSync(join(dir, "itsyou-token"), shellLauncher(process.execPath, entry, carried, version), { mode: 0o700 });
  chmodSync(join(dir, "itsyou-token"), 0o700);
  if (process.platform === "win32") {
    writeFileSync(join(dir, "itsyou-token.cmd"), cmdLauncher(process.execPath, entry, carried, version));
  }
  return dir;
}
