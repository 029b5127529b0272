/**
 * The action: inputs → checks → mod.ts, while @actions/core loads → core.setSecret → outputs, env, summary.
 * Nothing about the protocol lives here.
 */
import { decodeJwt, exchangeCode, getAccessToken, getJwt, ItsYouOnlineError, resolveBaseUrl } from "../mod.ts";
import type { AccessToken, JwtClaims } from "../mod.ts";
import { checkProxyEnvironment, createProxyAwareFetch } from "./fetch.ts";
import { emptySecretHint, readInputs } from "./inputs.ts";
import type { Inputs, RunEvent } from "./inputs.ts";
import packageJson from "../package.json" with { type: "json" };

/** The one source of the version is package.json; tests hold deno.json and the npm package to it. */
const VERSION = packageJson.version;

/** @actions/core, once loaded (see run()). */
let core: typeof import("@actions/core");

/** Every value masked so far, so a debug log can redact them too. */
const masked: string[] = [];

/** An input as the runner passes it and `core.getInput` reads it: `INPUT_<NAME>`, trimmed, "" when absent. */
function input(name: string): string {
  return (process.env[`INPUT_${name.replace(/ /g, "_").toUpperCase()}`] ?? "").trim();
}

/** Masks a value, and each of its lines, so a multi-line value cannot slip past the runner's masking. */
function mask(value: string | undefined): void {
  if (!value) return;
  core.setSecret(value);
  masked.push(value);
  for (const line of value.split(/\r?\n/)) {
    if (line.trim() && line !== value) {
      core.setSecret(line.trim());
      masked.push(line.trim());
    }
  }
}

/**
 * Server-controlled text made safe for one log line: no line break or other
 * control character, and no workflow-command marker (`::`, `##[`) the runner
 * could act on.
 */
function forLog(text: string): string {
  // deno-lint-ignore no-control-regex
  return text.replace(/[\u0000-\u001f\u007f-\u009f\u2028\u2029]/g, "\ufffd").replace(/::/g, ":\u200b:").replace(/##\[/g, "#\u200b#[");
}

/** Text made safe for one cell of the job summary's HTML table: one line, escaped. */
function forHtml(text: string): string {
  return forLog(text).replace(/[&<>"']/g, (char) => `&#${char.charCodeAt(0)};`);
}

/**
 * The run's event, read by `@actions/github` only when it is needed (an empty
 * secret): loading it sets up Octokit, which the success path does not use.
 */
async function runEvent(): Promise<RunEvent | undefined> {
  try {
    const { context } = await import(/* webpackMode: "eager" */ "@actions/github");
    return { eventName: context.eventName, actor: context.actor, payload: context.payload as RunEvent["payload"] };
  } catch {
    return undefined;
  }
}

/** What the requests got; each secret in it is masked before anything is printed. */
interface Tokens {
  inputs: Inputs;
  token: AccessToken;
  jwt?: string;
}

/**
 * Reads and checks the inputs and makes the requests. It runs while @actions/core loads (most of the action's
 * start), so the first round trips overlap that; it prints nothing (debug lines wait in `log`).
 */
async function getTokens(log: string[]): Promise<Tokens> {
  checkProxyEnvironment(process.env);
  const event = input("client-id") && input("client-secret") ? undefined : await runEvent();
  const inputs = readInputs(input, () => emptySecretHint(event));
  const repository = process.env.GITHUB_REPOSITORY ?? "";
  const requestOptions = {
    baseUrl: inputs.baseUrl,
    timeout: inputs.timeout,
    retries: inputs.retries,
    userAgent: `itsyou-token-action/${VERSION}${repository ? ` (${repository}; run ${process.env.GITHUB_RUN_ID ?? ""})` : ""}`,
    fetch: createProxyAwareFetch((line) => void log.push(line)),
  };
  const credentials = { clientId: inputs.clientId, clientSecret: inputs.clientSecret };
  const jwtOptions = { scope: inputs.scope, audience: inputs.audience, validity: inputs.validity, refreshable: inputs.refreshable, ...requestOptions };
  // Client credentials: the access token and the JWT (straight from the credentials, the same server function
  // and claims) in parallel, so neither waits for the other. The code flow needs the token for the JWT: that
  // second request reuses the kept-alive connection.
  if (inputs.grantType === "client_credentials") {
    const [token, jwt] = await Promise.all([
      getAccessToken({ ...credentials, ...requestOptions }),
      inputs.jwt ? getJwt(credentials, jwtOptions) : undefined,
    ]);
    return { inputs, token, jwt };
  }
  const token = await exchangeCode({ ...credentials, code: inputs.code!, redirectUri: inputs.redirectUri!, state: inputs.state, ...requestOptions });
  return { inputs, token, jwt: inputs.jwt ? await getJwt(token, jwtOptions) : undefined };
}

export async function run(): Promise<void> {
  const log: string[] = [];
  const work = getTokens(log).then((tokens) => ({ tokens }), (error: unknown) => ({ error }));
  // One turn of the event loop first: Node issues a connection's connect() on the next tick, and evaluating
  // @actions/core would hold that tick back.
  await new Promise((resolve) => setImmediate(resolve));
  core = await import(/* webpackMode: "eager" */ "@actions/core");
  // Nothing was printed yet. Mask every secret before anything is: the inputs first, then what the server sent.
  mask(input("client-secret"));
  mask(input("code"));
  const outcome = await work;
  // Endpoints and statuses only (src/fetch.ts): nothing secret.
  for (const line of log) core.debug(line);
  try {
    if ("error" in outcome) throw outcome.error;
    const { inputs, token, jwt } = outcome.tokens;
    const claims: JwtClaims | undefined = jwt ? decodeJwt(jwt) : undefined;
    mask(token.idToken);
    mask(token.accessToken);
    mask(jwt);
    mask(claims?.refresh_token);

    core.setOutput("access-token", token.accessToken);
    core.setOutput("token-type", token.tokenType);
    core.setOutput("expires-in", String(token.expiresIn));
    core.setOutput("expires-at", token.expiresAt.toISOString());
    core.setOutput("scope", token.scopes.join(","));
    core.setOutput("username", token.username ?? "");
    core.setOutput("id-token", token.idToken ?? "");
    if (jwt && claims) {
      core.setOutput("jwt", jwt);
      core.setOutput("jwt-expires-at", typeof claims.exp === "number" ? new Date(claims.exp * 1000).toISOString() : "");
      core.setOutput("globalid", typeof claims.globalid === "string" ? claims.globalid : "");
    }
    if (inputs.exportEnv) {
      core.exportVariable("ITSYOU_ACCESS_TOKEN", token.accessToken);
      if (jwt) core.exportVariable("ITSYOU_JWT", jwt);
    }
    const server = resolveBaseUrl(inputs.baseUrl).host;
    const subject = token.username ?? (typeof claims?.globalid === "string" && claims.globalid ? claims.globalid : inputs.clientId);
    core.info(`Got an access token${jwt ? " and a JWT" : ""} for ${forLog(subject)} from ${server}.`);
    // The run, for the summary: from the runner's variables, as @actions/github reads them.
    const run = process.env.GITHUB_REPOSITORY ? `${process.env.GITHUB_REPOSITORY} run ${process.env.GITHUB_RUN_ID ?? ""}` : "";
    await writeSummary(token, claims, server, run);
  } catch (error) {
    core.setFailed(`itsyou-token-action: ${describe(error)}`);
  }
}

/**
 * An ItsYouOnlineError's message is secret-free by contract; anything else is
 * reported by name only, with the details in the debug log (masked values
 * redacted there too).
 */
function describe(error: unknown): string {
  if (error instanceof ItsYouOnlineError) return `${error.message} [${error.code}]`;
  const details = error instanceof Error ? `${error.name}: ${error.message}\n${error.stack ?? ""}` : String(error);
  core.debug(masked.reduce((text, secret) => text.split(secret).join("***"), details));
  return `unexpected ${error instanceof Error ? error.name : typeof error}; run with ACTIONS_STEP_DEBUG for details.`;
}

async function writeSummary(token: AccessToken, claims: JwtClaims | undefined, server: string, run: string): Promise<void> {
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
  if (run) rows.push(["Workflow run", run]);
  // Values from the server are data: one line each, escaped, since the summary is an HTML table.
  const table = [[{ data: "Item", header: true }, { data: "Value", header: true }], ...rows.map((row) => row.map(forHtml))];
  await core.summary.addHeading("ItsYou.online token", 3).addTable(table).write();
}
