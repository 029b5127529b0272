/**
 * The action: inputs → checks → core.setSecret → mod.ts → outputs, env, summary.
 * Nothing about the protocol lives here.
 */
import * as core from "@actions/core";
import { context } from "@actions/github";
import { decodeJwt, exchangeCode, getAccessToken, getJwt, ItsYouOnlineError, resolveBaseUrl } from "../mod.ts";
import type { AccessToken, JwtClaims } from "../mod.ts";
import { createProxyAwareFetch } from "./fetch.ts";
import { readInputs } from "./inputs.ts";

const VERSION = "0.1.0";

/** Masks a value, and each of its lines, so a multi-line value cannot slip past the runner's masking. */
function mask(value: string | undefined): void {
  if (!value) return;
  core.setSecret(value);
  for (const line of value.split(/\r?\n/)) if (line.trim() && line !== value) core.setSecret(line.trim());
}

export async function run(): Promise<void> {
  try {
    mask(core.getInput("client-secret"));
    mask(core.getInput("code"));
    const inputs = readInputs((name) => core.getInput(name));

    const repository = process.env.GITHUB_REPOSITORY ? `${context.repo.owner}/${context.repo.repo}` : "";
    const requestOptions = {
      baseUrl: inputs.baseUrl,
      timeout: inputs.timeout,
      retries: inputs.retries,
      userAgent: `itsyou-token-action/${VERSION}${repository ? ` (${repository}; run ${context.runId})` : ""}`,
      fetch: createProxyAwareFetch((line) => core.debug(line)),
    };
    const credentials = { clientId: inputs.clientId, clientSecret: inputs.clientSecret };

    const token: AccessToken = inputs.grantType === "client_credentials"
      ? await getAccessToken({ ...credentials, ...requestOptions })
      : await exchangeCode({
        ...credentials,
        code: inputs.code!,
        redirectUri: inputs.redirectUri!,
        state: inputs.state,
        ...requestOptions,
      });
    mask(token.accessToken);

    let jwt: string | undefined;
    let claims: JwtClaims | undefined;
    if (inputs.jwt) {
      jwt = await getJwt(token, {
        scope: inputs.scope,
        audience: inputs.audience,
        validity: inputs.validity,
        refreshable: inputs.refreshable,
        ...requestOptions,
      });
      mask(jwt);
      claims = decodeJwt(jwt);
      mask(claims.refresh_token);
    }

    core.setOutput("access-token", token.accessToken);
    core.setOutput("token-type", token.tokenType);
    core.setOutput("expires-in", String(token.expiresIn));
    core.setOutput("expires-at", token.expiresAt.toISOString());
    core.setOutput("scope", token.scopes.join(","));
    core.setOutput("username", token.username ?? "");
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
    core.info(`Got an access token${jwt ? " and a JWT" : ""} for ${token.username ?? (claims?.globalid || inputs.clientId)} from ${server}.`);
    await writeSummary(token, claims, server, repository);
  } catch (error) {
    core.setFailed(`itsyou-token-action: ${describe(error)}`);
  }
}

/** An ItsYouOnlineError's message is secret-free by contract; anything else is reported by name only. */
function describe(error: unknown): string {
  if (error instanceof ItsYouOnlineError) return `${error.message} [${error.code}]`;
  return `unexpected ${error instanceof Error ? error.name : typeof error}; run with ACTIONS_STEP_DEBUG for details.`;
}

async function writeSummary(token: AccessToken, claims: JwtClaims | undefined, server: string, repository: string): Promise<void> {
  if (!process.env.GITHUB_STEP_SUMMARY) return;
  const subject = token.username ? `user ${token.username}` : `organization ${claims?.globalid ?? "(see the JWT)"}`;
  const rows = [
    [{ data: "Item", header: true }, { data: "Value", header: true }],
    ["Subject", subject],
    ["Server", server],
    ["Access token scopes", token.scopes.join(", ") || "(none)"],
    ["Access token expires", token.expiresAt.toISOString()],
  ];
  if (claims) {
    rows.push(["JWT scopes", Array.isArray(claims.scope) ? claims.scope.join(", ") : "(none)"]);
    const audiences = Array.isArray(claims.aud) ? claims.aud.join(", ") : claims.aud ?? "(none)";
    rows.push(["JWT audiences", audiences]);
    rows.push(["JWT expires", typeof claims.exp === "number" ? new Date(claims.exp * 1000).toISOString() : "(no exp)"]);
    rows.push(["Refreshable", claims.refresh_token ? "yes" : "no"]);
  }
  if (repository) rows.push(["Workflow run", `${repository} run ${context.runId}`]);
  await core.summary.addHeading("ItsYou.online token", 3).addTable(rows).write();
}
