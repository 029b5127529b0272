/**
 * The action: inputs → masks → checks → mod.ts → masks → outputs, env, summary,
 * every runner interaction through `@actions/core`. Nothing about the protocol
 * lives here.
 */
import type * as Core from "@actions/core";
import {
  decodeJwt,
  exchangeCode,
  getAccessToken,
  getJwt,
  hasControlCharacter,
  ItsYouOnlineError,
  resolveBaseUrl,
} from "../mod.ts";
import type { AccessToken, JwtClaims } from "../mod.ts";
import { checkProxyEnvironment, createProxyAwareFetch } from "./fetch.ts";
import type { ProxyAwareFetch } from "./fetch.ts";
import { emptySecretHint, readInputs } from "./inputs.ts";
import { installCommand } from "./launcher.ts";
import type { GetInput, Inputs, RunEvent } from "./inputs.ts";
import packageJson from "../package.json" with { type: "json" };

/** The one source of the version is package.json; tests hold deno.json and the npm package to it. */
const VERSION = packageJson.version;

/**
 * Server-controlled text made safe for one log line: no line break or other
 * control character, and no workflow-command marker (`::`, `##[`) the runner
 * could act on.
 */
function forLog(text: string): string {
  const oneLine = [...text].map((char) => (hasControlCharacter(char) ? "\ufffd" : char)).join("");
  return oneLine.replace(/::/g, ":\u200b:").replace(/##\[/g, "#\u200b#[");
}

/** Text made safe for one cell of the job summary's HTML table: one line, escaped. */
function forHtml(text: string): string {
  return forLog(text).replace(/[&<>"']/g, (char) => `&#${char.charCodeAt(0)};`);
}

/**
 * The run's event, read by `@actions/github` only when it is needed (an empty
 * secret). It is a chunk of its own in dist/, loaded only then: the success
 * path neither parses nor runs it (Octokit, undici).
 */
async function runEvent(): Promise<RunEvent | undefined> {
  try {
    const { context } = await import("@actions/github");
    return { eventName: context.eventName, actor: context.actor, payload: context.payload as RunEvent["payload"] };
  } catch {
    return undefined;
  }
}

/** What the requests got; each secret in it is masked before anything is printed. */
interface Tokens {
  token: AccessToken;
  jwt?: string;
}

/** Requests under way, and a way to stop them: an aborted request is never retried. */
interface Requests {
  tokens: Promise<Tokens>;
  cancel(): void;
}

/**
 * Both calls' results. When one fails for good, the other is aborted (an abort is never retried), and the first
 * failure is thrown once both have ended: nothing is sent after the step has failed, and every debug line comes
 * before the error line.
 */
async function allOrNothing<A, B>(stop: AbortController, first: Promise<A>, second: Promise<B>): Promise<[A, B]> {
  let failure: { error: unknown } | undefined;
  const watch = <T>(call: Promise<T>): Promise<T> =>
    call.catch((error: unknown) => {
      failure ??= { error };
      stop.abort();
      throw error;
    });
  const [a, b] = await Promise.allSettled([watch(first), watch(second)]);
  if (a.status === "rejected" || b.status === "rejected") throw failure!.error;
  return [a.value, b.value];
}

/** The requests for these inputs; debug lines (method, path, status: nothing secret) go to `debug`. */
function request(inputs: Inputs, fetch: ProxyAwareFetch): Requests {
  const stop = new AbortController();
  const repository = process.env.GITHUB_REPOSITORY ?? "";
  const requestOptions = {
    baseUrl: inputs.baseUrl,
    timeout: inputs.timeout,
    retries: inputs.retries,
    userAgent: `itsyou-token-action/${VERSION}${
      repository ? ` (${repository}; run ${process.env.GITHUB_RUN_ID ?? ""})` : ""
    }`,
    fetch: fetch.fetch,
    signal: stop.signal,
  };
  const credentials = { clientId: inputs.clientId, clientSecret: inputs.clientSecret };
  const jwtOptions = {
    scope: inputs.scope,
    audience: inputs.audience,
    validity: inputs.validity,
    refreshable: inputs.refreshable,
    ...requestOptions,
  };
  // Client credentials: the access token and the JWT (straight from the credentials, the same server function
  // and claims) in parallel, so neither waits for the other. The code flow needs the token for the JWT: that
  // second request reuses the kept-alive connection.
  const tokens = inputs.grantType === "client_credentials"
    ? allOrNothing(
      stop,
      getAccessToken({ ...credentials, ...requestOptions }),
      inputs.jwt ? getJwt(credentials, jwtOptions) : Promise.resolve(undefined),
    ).then(([token, jwt]) => ({ token, jwt }))
    : exchangeCode({
      ...credentials,
      code: inputs.code!,
      redirectUri: inputs.redirectUri!,
      state: inputs.state,
      ...requestOptions,
    }).then(async (token) => ({ token, jwt: inputs.jwt ? await getJwt(token, jwtOptions) : undefined }));
  return { tokens, cancel: () => stop.abort() };
}

/** An input as the runner passes it, before `@actions/core` is loaded: `INPUT_<NAME>`, trimmed, as `getInput`. */
const fromEnvironment: GetInput = (name) =>
  (process.env[`INPUT_${name.replace(/ /g, "_").toUpperCase()}`] ?? "").trim();

/**
 * The requests, started before `@actions/core` is evaluated so that its
 * evaluation overlaps their first round trip. On a runner every input is in
 * the environment, defaults included; where it is not (local-action applies
 * action.yml's defaults in its own `getInput`), nothing starts early.
 */
function startEarly(
  fetch: ProxyAwareFetch,
  checkEnvironment: (inputs: Inputs) => void,
): { inputs: Inputs; requests: Requests } | undefined {
  try {
    const inputs = readInputs(fromEnvironment);
    checkEnvironment(inputs);
    const requests = request(inputs, fetch);
    requests.tokens.catch(() => {}); // reported, if it is used, where it is awaited
    return { inputs, requests };
  } catch {
    return undefined;
  }
}

/**
 * The runner's environment, checked before any request: the proxy variables,
 * and the runner's files this step writes (GITHUB_OUTPUT, and GITHUB_ENV with
 * export-env), without which `@actions/core` would print the values, secrets
 * included, on stdout as the commands the runner no longer accepts.
 */
export function checkRunnerEnvironment(inputs: Inputs): void {
  checkProxyEnvironment(process.env);
  for (const variable of inputs.exportEnv ? ["GITHUB_OUTPUT", "GITHUB_ENV"] : ["GITHUB_OUTPUT"]) {
    if (!process.env[variable]) {
      throw new ItsYouOnlineError(
        "INVALID_ARGUMENT",
        `The environment variable ${variable} is not set; run this action as a step on a GitHub Actions runner.`,
      );
    }
  }
}

/**
 * Runs the action. `checkEnvironment` runs before any request: dist/index.js, the runner's entry, passes
 * {@linkcode checkRunnerEnvironment}; `@github/local-action`, which calls `run()` itself and keeps outputs in its
 * own `@actions/core`, gets the default, which checks the proxy variables only.
 */
export async function run(
  checkEnvironment: (inputs: Inputs) => void = () => checkProxyEnvironment(process.env),
): Promise<void> {
  /** Debug lines (method, path, status: nothing secret) are held until every value is masked. */
  const held: string[] = [];
  let debug = (line: string): void => void held.push(line);
  const fetch = createProxyAwareFetch((line) => debug(line));
  const early = startEarly(fetch, checkEnvironment);
  // Node opens the connections on the next turn of the event loop: let it, then evaluate @actions/core.
  await new Promise((resolve) => setImmediate(resolve));
  const core = await import("@actions/core");
  /** Every value masked so far, so a debug log can redact them too. */
  const masked: string[] = [];
  /** Masks a value, and each of its lines, so a multi-line value cannot slip past the runner's masking. */
  const mask = (value: string | undefined): void => {
    if (!value) return;
    for (const part of [value, ...value.split(/\r?\n/).map((line) => line.trim())]) {
      if (part && !masked.includes(part)) {
        core.setSecret(part);
        masked.push(part);
      }
    }
  };
  const printDebug = (): void => {
    debug = core.debug;
    held.splice(0).forEach((line) => core.debug(line));
  };
  // Every secret is masked before anything is printed: the inputs first, then what the server sent.
  mask(core.getInput("client-secret"));
  mask(core.getInput("code"));
  try {
    const getInput: GetInput = (name) => core.getInput(name);
    const event = getInput("client-id") && getInput("client-secret") ? undefined : await runEvent();
    const inputs = readInputs(getInput, () => emptySecretHint(event));
    checkEnvironment(inputs);
    // What core reads is what counts: the early requests are used only if they were made for the same inputs.
    const same = early !== undefined && JSON.stringify(early.inputs) === JSON.stringify(inputs);
    if (!same) early?.requests.cancel();
    const { token, jwt } = await (same ? early.requests : request(inputs, fetch)).tokens;
    const claims: JwtClaims | undefined = jwt ? decodeJwt(jwt) : undefined;
    mask(token.idToken);
    mask(token.accessToken);
    mask(jwt);
    mask(claims?.refresh_token);
    printDebug();
    await writeOutputs(core, inputs, token, jwt, claims);
  } catch (error) {
    early?.requests.cancel();
    printDebug();
    core.setFailed(`itsyou-token-action: ${describe(core, error, masked)}`);
  } finally {
    fetch.close();
  }
}

async function writeOutputs(
  core: typeof Core,
  inputs: Inputs,
  token: AccessToken,
  jwt: string | undefined,
  claims: JwtClaims | undefined,
): Promise<void> {
  const outputs: [string, string][] = [
    ["access-token", token.accessToken],
    ["token-type", token.tokenType],
    ["expires-in", String(token.expiresIn)],
    ["expires-at", token.expiresAt.toISOString()],
    ["scope", token.scopes.join(",")],
    ["username", token.username ?? ""],
    ["id-token", token.idToken ?? ""],
  ];
  if (jwt && claims) {
    outputs.push(
      ["jwt", jwt],
      ["jwt-expires-at", typeof claims.exp === "number" ? new Date(claims.exp * 1000).toISOString() : ""],
      ["globalid", typeof claims.globalid === "string" ? claims.globalid : ""],
    );
  }
  runnerFile("GITHUB_OUTPUT", () => outputs.forEach(([name, value]) => core.setOutput(name, value)));
  const baseUrl = resolveBaseUrl(inputs.baseUrl).href;
  if (inputs.exportEnv) {
    runnerFile("GITHUB_ENV", () => {
      core.exportVariable("ITSYOU_ACCESS_TOKEN", token.accessToken);
      if (jwt) core.exportVariable("ITSYOU_JWT", jwt);
      // Whatever later reads these tokens must send them back to the server that issued them.
      core.exportVariable("ITSYOU_BASE_URL", baseUrl);
    });
  }
  const server = new URL(baseUrl).host;
  const subject = token.username ??
    (typeof claims?.globalid === "string" && claims.globalid ? claims.globalid : inputs.clientId);
  core.info(`Got an access token${jwt ? " and a JWT" : ""} for ${forLog(subject)} from ${server}.`);
  const command = addCommand(core, baseUrl);
  await writeSummary(core, token, claims, server, command);
}

/**
 * Puts `itsyou-token` on the job's PATH for later steps (src/launcher.ts), where the runner has a GITHUB_PATH
 * file. Not having it fails nothing: the tokens are out; a warning says why the command is missing.
 */
function addCommand(core: typeof Core, baseUrl: string): boolean {
  if (!process.env.GITHUB_PATH) {
    core.debug("GITHUB_PATH is not set: itsyou-token is not installed for later steps.");
    return false;
  }
  try {
    core.addPath(installCommand(baseUrl, VERSION));
    return true;
  } catch (error) {
    core.warning(
      `Cannot install the itsyou-token command for later steps (${
        fileErrorCode(error) ?? "unexpected error"
      }); the outputs are set. Check that RUNNER_TEMP names a writable folder and GITHUB_PATH a writable file.`,
    );
    return false;
  }
}

/** What went wrong with a runner's file: an errno (EISDIR, EACCES…), or @actions/core's check that it exists. */
function fileErrorCode(error: unknown): string | undefined {
  const code = (error as NodeJS.ErrnoException).code;
  if (typeof code === "string") return code;
  return /^Missing file at path/.test((error as Error).message) ? "no such file" : undefined;
}

/**
 * Runs `write`, which appends to the runner's file `variable` names; a file
 * that cannot be written is one error naming the variable and the path, not
 * an unexpected one.
 */
function runnerFile(variable: "GITHUB_OUTPUT" | "GITHUB_ENV", write: () => void): void {
  try {
    write();
  } catch (error) {
    const code = fileErrorCode(error);
    if (code === undefined) throw error;
    throw new ItsYouOnlineError(
      "INVALID_ARGUMENT",
      `Cannot write the runner's file ${variable} (${
        forLog(process.env[variable] ?? "")
      }): ${code}. Check that the step runs on a GitHub Actions runner and that ${variable} names a writable file.`,
    );
  }
}

/** mod.ts's option names, in a message, as the action's inputs name them. */
const INPUT_NAMES: [RegExp, string][] = [
  [/\bbaseUrl\b/g, "base-url"],
  [/\bclientId\b/g, "client-id"],
  [/\bclientSecret\b/g, "client-secret"],
  [/\bredirectUri\b/g, "redirect-uri"],
  [/\brefreshable: true\b/g, 'refreshable: "true"'],
];

/** A message of mod.ts's, naming inputs as the action does. */
function inActionWords(message: string): string {
  return INPUT_NAMES.reduce((text, [option, input]) => text.replace(option, input), message);
}

/**
 * An ItsYouOnlineError's message is secret-free by contract; anything else is
 * reported by name only, with the details in the debug log (masked values
 * redacted there too).
 */
function describe(core: typeof Core, error: unknown, masked: string[]): string {
  if (error instanceof ItsYouOnlineError) return `${inActionWords(error.message)} [${error.code}]`;
  const details = error instanceof Error ? `${error.name}: ${error.message}\n${error.stack ?? ""}` : String(error);
  core.debug(masked.reduce((text, secret) => text.split(secret).join("***"), details));
  return `unexpected ${error instanceof Error ? error.name : typeof error}; run with ACTIONS_STEP_DEBUG for details.`;
}

/** The job summary, where the runner has one; one that cannot be written is a warning, not a failed step. */
async function writeSummary(
  core: typeof Core,
  token: AccessToken,
  claims: JwtClaims | undefined,
  server: string,
  command: boolean,
): Promise<void> {
  if (!process.env.GITHUB_STEP_SUMMARY) return;
  const subject = token.username ? `user ${token.username}` : `organization ${claims?.globalid ?? "(see the JWT)"}`;
  const rows: [string, string][] = [
    ["Subject", subject],
    ["Server", server],
    ["Access token scopes", token.scopes.join(", ") || "(none)"],
    ["Access token expires", token.expiresAt.toISOString()],
  ];
  if (claims) {
    rows.push(["JWT scopes", Array.isArray(claims.scope) ? claims.scope.join(", ") : "(none)"]);
    const audiences = Array.isArray(claims.aud) ? claims.aud.join(", ") : claims.aud ?? "(none)";
    rows.push(["JWT audiences", String(audiences)]);
    rows.push(["JWT expires", typeof claims.exp === "number" ? new Date(claims.exp * 1000).toISOString() : "(no exp)"]);
    rows.push(["Refreshable", claims.refresh_token ? "yes" : "no"]);
  }
  if (command) {
    rows.push([
      "Later steps",
      claims?.refresh_token
        ? `itsyou-token --refresh (on PATH) renews ITSYOU_JWT at ${server}`
        : `itsyou-token (on PATH) reaches ${server}`,
    ]);
  }
  // The run, from the runner's variables, as @actions/github reads them.
  if (process.env.GITHUB_REPOSITORY) {
    rows.push(["Workflow run", `${process.env.GITHUB_REPOSITORY} run ${process.env.GITHUB_RUN_ID ?? ""}`]);
  }
  // Values from the server are data: one line each, escaped, since the summary is an HTML table.
  const cells = rows.map(([item, value]) => `<tr><td>${forHtml(item)}</td><td>${forHtml(value)}</td></tr>`).join("");
  const html = `<h3>ItsYou.online token</h3>\n<table><tr><th>Item</th><th>Value</th></tr>${cells}</table>\n`;
  try {
    await core.summary.addRaw(html).write();
  } catch {
    core.warning(
      `Cannot write the job summary (GITHUB_STEP_SUMMARY ${
        forLog(process.env.GITHUB_STEP_SUMMARY)
      }); the outputs are set. Check that GITHUB_STEP_SUMMARY names a writable file.`,
    );
  }
}
