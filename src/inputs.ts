/**
 * The action's inputs, read and checked before anything is sent. Messages name
 * the input and what it accepts, and never echo a secret.
 */
import { ItsYouOnlineError, resolveBaseUrl } from "../mod.ts";

export interface Inputs {
  clientId: string;
  clientSecret: string;
  grantType: "client_credentials" | "authorization_code";
  code?: string;
  redirectUri?: string;
  state?: string;
  jwt: boolean;
  scope?: string;
  audience?: string;
  validity?: number;
  refreshable: boolean;
  baseUrl: string;
  /** Milliseconds per attempt. */
  timeout: number;
  retries: number;
  exportEnv: boolean;
}

/** Reads an input the way the runner passes it (`core.getInput`: trimmed, "" when absent). */
export type GetInput = (name: string) => string;

const FORK_HINT =
  "Secrets are not passed to workflows triggered from forks or by Dependabot; check that the secret exists and is passed to this step with `with:`.";

function invalid(message: string): ItsYouOnlineError {
  return new ItsYouOnlineError("INVALID_ARGUMENT", message);
}

export function readInputs(getInput: GetInput): Inputs {
  const text = (name: string, required = false): string | undefined => {
    const value = getInput(name);
    if (value === "") {
      if (required) throw invalid(`Input ${name} is empty. ${FORK_HINT}`);
      return undefined;
    }
    // deno-lint-ignore no-control-regex
    if (/[\u0000-\u001f\u007f]/.test(value)) {
      throw invalid(`Input ${name} contains a line break or another control character; it must be a single line.`);
    }
    if (value.length > 4096) throw invalid(`Input ${name} is longer than 4096 characters.`);
    return value;
  };
  const boolean = (name: string): boolean => {
    const value = getInput(name);
    if (/^(true|True|TRUE)$/.test(value)) return true;
    if (/^(false|False|FALSE)$/.test(value)) return false;
    throw invalid(`Input ${name} must be true or false, not ${JSON.stringify(value.slice(0, 20))}.`);
  };
  const integer = (name: string, min: number, max: number, unit: string): number | undefined => {
    const value = getInput(name);
    if (value === "") return undefined;
    if (!/^\d+$/.test(value) || Number(value) < min || Number(value) > max) {
      throw invalid(`Input ${name} must be a whole number of ${unit} from ${min} to ${max}, not ${JSON.stringify(value.slice(0, 20))}.`);
    }
    return Number(value);
  };

  /** Seconds, decimals allowed, as milliseconds. */
  const seconds = (name: string, min: number, max: number): number | undefined => {
    const value = getInput(name);
    if (value === "") return undefined;
    if (!/^\d+(\.\d+)?$/.test(value) || Number(value) < min || Number(value) > max) {
      throw invalid(`Input ${name} must be a number of seconds from ${min} to ${max}, not ${JSON.stringify(value.slice(0, 20))}.`);
    }
    return Math.round(Number(value) * 1000);
  };

  const clientId = text("client-id", true)!;
  const clientSecret = text("client-secret", true)!;
  const grantType = getInput("grant-type") || "client_credentials";
  if (grantType !== "client_credentials" && grantType !== "authorization_code") {
    throw invalid(`Input grant-type must be client_credentials or authorization_code, not ${JSON.stringify(grantType.slice(0, 40))}.`);
  }
  const code = text("code");
  const redirectUri = text("redirect-uri");
  if (grantType === "authorization_code" && (!code || !redirectUri)) {
    throw invalid("Inputs code and redirect-uri are required for grant-type authorization_code.");
  }
  const baseUrl = text("base-url") ?? "https://itsyou.online";
  try {
    resolveBaseUrl(baseUrl);
  } catch (error) {
    throw invalid(`Input base-url is not usable: ${(error as Error).message}`);
  }
  return {
    clientId,
    clientSecret,
    grantType,
    code,
    redirectUri,
    state: text("state"),
    jwt: boolean("jwt"),
    scope: text("scope"),
    audience: text("audience"),
    validity: integer("validity", 1, 86_400, "seconds"),
    refreshable: boolean("refreshable"),
    baseUrl,
    timeout: seconds("timeout", 0.1, 600) ?? 10_000,
    retries: integer("retries", 0, 10, "retries") ?? 3,
    exportEnv: boolean("export-env"),
  };
}
