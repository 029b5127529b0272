/**
 * The action's inputs, read and checked before anything is sent. Messages name
 * the input and what it accepts, and never echo a secret.
 */
import { DEFAULTS, hasControlCharacter, ITSYOU_ONLINE_URL, ItsYouOnlineError, LIMITS, resolveBaseUrl } from "../mod.ts";

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

/** Reads an input as the runner passes it (`INPUT_<NAME>`: trimmed, "" when absent). */
export type GetInput = (name: string) => string;

/** What the runner's event says about where this run comes from (the parts of `@actions/github`'s context used here). */
export interface RunEvent {
  eventName: string;
  actor: string;
  payload: {
    pull_request?: {
      head?: { repo?: { full_name?: string; fork?: boolean } | null };
      base?: { repo?: { full_name?: string } };
    };
  };
}

/**
 * Why a required input (a secret) can be empty, from the run's event: a pull
 * request from a fork and a Dependabot run get no Actions secrets.
 */
export function emptySecretHint(event: RunEvent | undefined): string {
  const pull = event?.payload.pull_request;
  const head = pull?.head?.repo?.full_name;
  if (
    event && pull && (pull.head?.repo?.fork === true || (head !== undefined && head !== pull.base?.repo?.full_name))
  ) {
    return `This run comes from a pull request from the fork ${
      head ?? "(deleted)"
    }, and GitHub passes no secrets to such runs (event ${event.eventName}); run this step only for pushes and pull requests from this repository (if: github.event.pull_request.head.repo.full_name == github.repository).`;
  }
  if (event?.actor === "dependabot[bot]") {
    return "This run was started by Dependabot, which gets Dependabot secrets instead of Actions secrets; add the secret under Settings → Secrets and variables → Dependabot.";
  }
  return "Check that the secret exists (repository, environment or organization secret) and is passed to this step, e.g. client-secret: ${{ secrets.ITSYOU_CLIENT_SECRET }}.";
}

function invalid(message: string): ItsYouOnlineError {
  return new ItsYouOnlineError("INVALID_ARGUMENT", message);
}

/** A text input: single-line and bounded; "" is undefined, unless `required` says why it must not be empty. */
function textInput(getInput: GetInput, name: string, required?: () => string): string | undefined {
  const value = getInput(name);
  if (value === "") {
    if (required) throw invalid(`Input ${name} is empty. ${required()}`);
    return undefined;
  }
  if (hasControlCharacter(value)) {
    throw invalid(`Input ${name} contains a line break or another control character; it must be a single line.`);
  }
  if (value.length > LIMITS.textLength) {
    throw invalid(`Input ${name} is longer than ${LIMITS.textLength} characters.`);
  }
  return value;
}

/** A boolean input, as YAML 1.2's core schema spells one. */
function booleanInput(getInput: GetInput, name: string): boolean {
  const value = getInput(name);
  if (/^(true|True|TRUE)$/.test(value)) return true;
  if (/^(false|False|FALSE)$/.test(value)) return false;
  throw invalid(`Input ${name} must be true or false, not ${JSON.stringify(value.slice(0, 20))}.`);
}

/** A whole number from `min` to `max`, or undefined when empty. */
function integerInput(getInput: GetInput, name: string, min: number, max: number, unit: string): number | undefined {
  const value = getInput(name);
  if (value === "") return undefined;
  if (!/^\d+$/.test(value) || Number(value) < min || Number(value) > max) {
    throw invalid(
      `Input ${name} must be a whole number of ${unit} from ${min} to ${max}, not ${
        JSON.stringify(value.slice(0, 20))
      }.`,
    );
  }
  return Number(value);
}

/** Seconds, decimals allowed, from `min` to `max`, as milliseconds; undefined when empty. */
function secondsInMilliseconds(getInput: GetInput, name: string, min: number, max: number): number | undefined {
  const value = getInput(name);
  if (value === "") return undefined;
  if (!/^\d+(\.\d+)?$/.test(value) || Number(value) < min || Number(value) > max) {
    throw invalid(
      `Input ${name} must be a number of seconds from ${min} to ${max}, not ${JSON.stringify(value.slice(0, 20))}.`,
    );
  }
  return Math.round(Number(value) * 1000);
}

/** grant-type, with the code and redirect-uri the code flow needs. */
function grantInputs(getInput: GetInput): Pick<Inputs, "grantType" | "code" | "redirectUri"> {
  const grantType = getInput("grant-type") || "client_credentials";
  if (grantType !== "client_credentials" && grantType !== "authorization_code") {
    throw invalid(
      `Input grant-type must be client_credentials or authorization_code, not ${
        JSON.stringify(grantType.slice(0, 40))
      }.`,
    );
  }
  const code = textInput(getInput, "code");
  const redirectUri = textInput(getInput, "redirect-uri");
  if (grantType === "authorization_code" && (!code || !redirectUri)) {
    throw invalid("Inputs code and redirect-uri are required for grant-type authorization_code.");
  }
  return { grantType, code, redirectUri };
}

/** base-url, or ItsYou.online's, as mod.ts accepts a base URL. */
function baseUrlInput(getInput: GetInput): string {
  const baseUrl = textInput(getInput, "base-url") ?? ITSYOU_ONLINE_URL;
  try {
    resolveBaseUrl(baseUrl);
  } catch (error) {
    throw invalid(`Input base-url is not usable: ${(error as Error).message}`);
  }
  return baseUrl;
}

/** Reads and checks every input; `hint` says why a required one is empty. */
export function readInputs(getInput: GetInput, hint: () => string = () => emptySecretHint(undefined)): Inputs {
  const text = (name: string): string | undefined => textInput(getInput, name);
  const boolean = (name: string): boolean => booleanInput(getInput, name);
  return {
    clientId: textInput(getInput, "client-id", hint)!,
    clientSecret: textInput(getInput, "client-secret", hint)!,
    ...grantInputs(getInput),
    baseUrl: baseUrlInput(getInput),
    state: text("state"),
    jwt: boolean("jwt"),
    scope: text("scope"),
    audience: text("audience"),
    validity: integerInput(getInput, "validity", 1, LIMITS.validitySeconds, "seconds"),
    refreshable: boolean("refreshable"),
    timeout: secondsInMilliseconds(getInput, "timeout", 0.1, 600) ?? DEFAULTS.timeoutMs,
    retries: integerInput(getInput, "retries", 0, LIMITS.retries, "retries") ?? DEFAULTS.retries,
    exportEnv: boolean("export-env"),
  };
}
