/**
 * The action: inputs → masks → checks → mod.ts → masks → outputs, env, summary.
 * Nothing about the protocol lives here.
 */
import { decodeJwt, exchangeCode, getAccessToken, getJwt, ItsYouOnlineError, resolveBaseUrl } from "../mod.ts";
import type { AccessToken, JwtClaims } from "../mod.ts";
import * as runner from "./commands.ts";
import { checkProxyEnvironment, createProxyAwareFetch } from "./fetch.ts";
import { emptySecretHint, readInputs } from "./inputs.ts";
import type { Inputs, RunEvent } from "./inputs.ts";
import packageJson from "../package.json" with { type: "json" };

/** The one source of the version is package.json; tests hold deno.json and the npm package to it. */
const VERSION = packageJson.version;

/** Every value masked so far, so a debug log can redact them too. */
const masked: string[] = [];

/** An input as the runner passes it: `INPUT_<NAME>`, trimmed, "" when absent (as `@actions/core`'s `getInput`). */
function input(name: string): string {
  return (process.env[`INPUT_${name.replace(/ /g, "_").toUpperCase()}`] ?? "").trim();
}

/** Masks a value, and each of its lines, so a multi-line value cannot slip past the runner's masking. */
function mask(value: string | undefined): void {
  if (!value) return;
  runner.setSecret(value);
  masked.push(value);
  for (const line of value.split(/\r?\n/)) {
    if (line.trim() && line !== value) {
      runner.setSecret(line.trim());
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
  return text.replace(/[\u0000-\u001f\u007f-\u009f\u2028\u2029]/g, "\ufffd").replace(/::/g, ":\u200b:").replace(
    /##\[/g,
    "#\u200b#[",
  );
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
  inputs: Inputs;
  token: AccessToken;
  jwt?: string;
}

/** Reads and checks the inputs and makes the requests. */
async function getTokens(): Promise<Tokens> {
  checkProxyEnvironment(process.env);
  if (!process.env.GITHUB_OUTPUT) {
    throw new ItsYouOnlineError(
      "INVALID_ARGUMENT",
      "The environment variable GITHUB_OUTPUT is not set; run this action as a step on a GitHub Actions runner.",
    );
  }
  const event = input("client-id") && input("client-secret") ? undefined : await runEvent();
  const inputs = readInputs(input, () => emptySecretHint(event));
  const repository = process.env.GITHUB_REPOSITORY ?? "";
  const requestOptions = {
    baseUrl: inputs.baseUrl,
    timeout: inputs.timeout,
    retries: inputs.retries,
    userAgent: `itsyou-token-action/${VERSION}${
      repository ? ` (${repository}; run ${process.env.GITHUB_RUN_ID ?? ""})` : ""
    }`,
    // Endpoints and statuses only (src/fetch.ts): nothing secret.
    fetch: createProxyAwareFetch(runner.debug),
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
  if (inputs.grantType === "client_credentials") {
    const [token, jwt] = await Promise.all([
      getAccessToken({ ...credentials, ...requestOptions }),
      inputs.jwt ? getJwt(credentials, jwtOptions) : undefined,
    ]);
    return { inputs, token, jwt };
  }
  const token = await exchangeCode({
    ...credentials,
    code: inputs.code!,
    redirectUri: inputs.redirectUri!,
    state: inputs.state,
    ...requestOptions,
  });
  return { inputs, token, jwt: inputs.jwt ? await getJwt(token, jwtOptions) : undefined };
}

export async function run(): Promise<void> {
  // Every secret is masked before anything is printed: the inputs first, then what the server sent.
  mask(input("client-secret"));
  mask(input("code"));
  try {
    const { inputs, token, jwt } = await getTokens();
    const claims: JwtClaims | undefined = jwt ? decodeJwt(jwt) : undefined;
    mask(token.idToken);
    mask(token.accessToken);
    mask(jwt);
    mask(claims?.refresh_token);

    runner.setOutput("access-token", token.accessToken);
    runner.setOutput("token-type", token.tokenType);
    runner.setOutput("expires-in", String(token.expiresIn));
    runner.setOutput("expires-at", token.expiresAt.toISOString());
    runner.setOutput("scope", token.scopes.join(","));
    runner.setOutput("username", token.username ?? "");
    runner.setOutput("id-token", token.idToken ?? "");
    if (jwt && claims) {
      runner.setOutput("jwt", jwt);
      runner.setOutput(
        "jwt-expires-at",
        typeof claims.exp === "number" ? new Date(claims.exp * 1000).toISOString() : "",
      );
      runner.setOutput("globalid", typeof claims.globalid === "string" ? claims.globalid : "");
    }
    if (inputs.exportEnv) {
      runner.exportVariable("ITSYOU_ACCESS_TOKEN", token.accessToken);
      if (jwt) runner.exportVariable("ITSYOU_JWT", jwt);
    }
    const server = resolveBaseUrl(inputs.baseUrl).host;
    const subject = token.username ??
      (typeof claims?.globalid === "string" && claims.globalid ? claims.globalid : inputs.clientId);
    runner.info(`Got an access token${jwt ? " and a JWT" : ""} for ${forLog(subject)} from ${server}.`);
    // The run, for the summary: from the runner's variables, as @actions/github reads them.
    const run = process.env.GITHUB_REPOSITORY
      ? `${process.env.GITHUB_REPOSITORY} run ${process.env.GITHUB_RUN_ID ?? ""}`
      : "";
    writeSummary(token, claims, server, run);
  } catch (error) {
    runner.setFailed(`itsyou-token-action: ${describe(error)}`);
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
  runner.debug(masked.reduce((text, secret) => text.split(secret).join("***"), details));
  return `unexpected ${error instanceof Error ? error.name : typeof error}; run with ACTIONS_STEP_DEBUG for details.`;
}

function writeSummary(token: AccessToken, claims: JwtClaims | undefined, server: string, run: string): void {
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
  const cells = rows.map(([item, value]) => `<tr><td>${forHtml(item)}</td><td>${forHtml(value)}</td></tr>`).join("");
  runner.appendSummary(`<h3>ItsYou.online token</h3>\n<table><tr><th>Item</th><th>Value</th></tr>${cells}</table>\n`);
}
