/**
 * The action: inputs → checks → core.setSecret → mod.ts → outputs, env, summary.
 * Nothing about the protocol lives here.
 */
import * as core from "@actions/core";
import { decodeJwt, exchangeCode, getAccessToken, getJwt, ItsYouOnlineError, resolveBaseUrl } from "../mod.ts";
import type { AccessToken, JwtClaims } from "../mod.ts";
import { checkProxyEnvironment, createProxyAwareFetch } from "./fetch.ts";
import { emptySecretHint, readInputs } from "./inputs.ts";
import type { RunEvent } from "./inputs.ts";
import packageJson from "../package.json" with { type: "json" };

/** The one source of the version is package.json; tests hold deno.json and the npm package to it. */
const VERSION = packageJson.version;

/** Every value masked so far, so a debug log can redact them too. */
const masked: string[] = [];

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

export async function run(): Promise<void> {
  try {
    mask(core.getInput("client-secret"));
    mask(core.getInput("code"));
    checkProxyEnvironment(process.env);
    const event = core.getInput("client-id") && core.getInput("client-secret") ? undefined : await runEvent();
    const inputs = readInputs((name) => core.getInput(name), () => emptySecretHint(event));

    // The run, for the User-Agent and the summary: from the runner's variables, as @actions/github reads them.
    const repository = process.env.GITHUB_REPOSITORY ?? "";
    const runId = process.env.GITHUB_RUN_ID ?? "";
    const run = repository ? `${repository} run ${runId}` : "";
    const requestOptions = {
      baseUrl: inputs.baseUrl,
      timeout: inputs.timeout,
      retries: inputs.retries,
      userAgent: `itsyou-token-action/${VERSION}${repository ? ` (${repository}; run ${runId})` : ""}`,
      fetch: createProxyAwareFetch((line) => core.debug(line)),
    };
    const credentials = { clientId: inputs.clientId, clientSecret: inputs.clientSecret };
    const jwtOptions = {
      scope: inputs.scope,
      audience: inputs.audience,
      validity: inputs.validity,
      refreshable: inputs.refreshable,
      ...requestOptions,
    };
    // Each value is masked the moment it arrives, before anything could print it.
    const maskToken = (token: AccessToken): AccessToken => (mask(token.idToken), mask(token.accessToken), token);
    const maskJwt = (value: string): string => (mask(value), mask(decodeJwt(value).refresh_token), value);

    // Client credentials: the access token and the JWT (straight from the credentials, the same server function
    // and claims) in parallel, so neither waits for the other. The code flow needs the token for the JWT: that
    // second request reuses the kept-alive connection.
    let token: AccessToken;
    let jwt: string | undefined;
    if (inputs.grantType === "client_credentials") {
      [token, jwt] = await Promise.all([
        getAccessToken({ ...credentials, ...requestOptions }).then(maskToken),
        inputs.jwt ? getJwt(credentials, jwtOptions).then(maskJwt) : undefined,
      ]);
    } else {
      token = maskToken(
        await exchangeCode({ ...credentials, code: inputs.code!, redirectUri: inputs.redirectUri!, state: inputs.state, ...requestOptions }),
      );
      if (inputs.jwt) jwt = maskJwt(await getJwt(token, jwtOptions));
    }
    const claims: JwtClaims | undefined = jwt ? decodeJwt(jwt) : undefined;

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
