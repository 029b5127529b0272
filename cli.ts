#!/usr/bin/env node
/**
 * A command line for ItsYou.online: prints a JWT (or an access token) for the
 * credentials in ITSYOU_CLIENT_ID and ITSYOU_CLIENT_SECRET, a renewal of the
 * refreshable JWT in ITSYOU_JWT (--refresh), or a JWT derived from it (--derive).
 *
 *   deno run --allow-net=itsyou.online --allow-env=ITSYOU_CLIENT_ID,ITSYOU_CLIENT_SECRET,ITSYOU_BASE_URL cli.ts [flags]
 *   npx @itsyou/token [flags]             (the npm package's bin)
 *
 * Secrets are only read from the environment, never from arguments. Errors go
 * to stderr as one line, with exit status 1 (2 for bad flags). A reader that
 * closes stdout early (`| head -c0`) ends the command quietly.
 *
 * @module
 */
import { readFile } from "node:fs/promises";
import process from "node:process";
import { parseArgs } from "node:util";
import {
  decodeJwt,
  deriveJwt,
  getAccessToken,
  getJwt,
  hasControlCharacter,
  ItsYouOnlineError,
  LIMITS,
  refreshJwt,
  resolveBaseUrl,
  verifyJwt,
} from "./mod.ts";

const USAGE =
  `Usage: deno run --allow-net=HOST --allow-env=ITSYOU_CLIENT_ID,ITSYOU_CLIENT_SECRET,ITSYOU_BASE_URL cli.ts [flags]
       itsyou-token [flags]   (the npm package @itsyou/token)

Prints a JWT for ITSYOU_CLIENT_ID and ITSYOU_CLIENT_SECRET (from the environment).
With --derive, prints a JWT derived from the user's refreshable JWT in ITSYOU_JWT
(delegation: another audience, the same or fewer scopes, never outliving it and
never refreshable). It asks only for user:memberof: scopes that JWT holds exactly:
ItsYou.online does not check membership on delegation, and verifiers do not
accept membership from a derived JWT.
With --refresh, prints a renewal of the refreshable JWT in ITSYOU_JWT (its own
scopes and audiences; 24 hours, or --validity), e.g. in a job that outlives it.

Deno permissions, the narrowest that work: --allow-net=itsyou.online (or your
server's host:port), --allow-env with the three variables above (for --derive
and --refresh: --allow-env=ITSYOU_JWT,ITSYOU_BASE_URL), and --allow-read=FILE for --public-key FILE.

Flags:
  --scope LIST         JWT scopes, comma-separated (default: all granted; with --derive: none)
  --audience LIST      JWT audiences, comma-separated
  --validity SECONDS   JWT lifetime, 1 to 86400 (with --derive: at most the parent's remaining life)
  --refreshable        ask for a refreshable JWT (offline_access; not with --derive)
  --derive             derive from the JWT in ITSYOU_JWT instead of using the credentials
  --refresh            renew the refreshable JWT in ITSYOU_JWT (with --validity, --json, --verify)
  --base-url URL       a self-hosted server (or ITSYOU_BASE_URL; default https://itsyou.online)
  --access-token       print the access token instead of a JWT
  --json               print the whole result as JSON (with the JWT's decoded claims)
  --verify             verify the JWT before printing it
  --public-key FILE    the PEM to verify with (default: itsyou.online's key)
  --help               show this help
`;

/** Exit status 2: the command line itself is wrong. */
class UsageError extends Error {}

/** stdout could not be written. */
class OutputError extends Error {
  readonly code: string;
  constructor(code: string) {
    super(`cannot write the result to stdout (${code}); check where stdout goes (a full disk, a closed file)`);
    this.code = code;
  }
}

// Write failures arrive through write()'s callback; without a listener they would also end the process with a stack trace.
process.stdout.on("error", () => {});

/** Writes to stdout and waits until it is written, so that a failure is ours to report. */
function print(text: string): Promise<void> {
  const failed = (error: Error): OutputError => {
    const code = (error as { code?: unknown }).code;
    return new OutputError(typeof code === "string" ? code : error.name);
  };
  return new Promise((resolve, reject) => {
    try {
      // Node reports a failure to the callback; Deno may throw it at once.
      process.stdout.write(text, (error) => (error ? reject(failed(error)) : resolve()));
    } catch (error) {
      reject(failed(error as Error));
    }
  });
}

/** Runs mod.ts's own check of a flag's value; its complaint is a usage error. */
function checkFlag(flag: string, check: () => unknown): void {
  try {
    check();
  } catch (error) {
    throw new UsageError(`${flag}: ${error instanceof Error ? error.message.replace(/\.$/, "") : error}`);
  }
}

const FLAGS = {
  scope: { type: "string" },
  audience: { type: "string" },
  validity: { type: "string" },
  refreshable: { type: "boolean" },
  "base-url": { type: "string" },
  "access-token": { type: "boolean" },
  derive: { type: "boolean" },
  refresh: { type: "boolean" },
  json: { type: "boolean" },
  verify: { type: "boolean" },
  "public-key": { type: "string" },
  help: { type: "boolean" },
} as const;

type Flags = ReturnType<typeof parseArgs<{ args: string[]; strict: true; options: typeof FLAGS }>>["values"];

async function main(args: string[]): Promise<number> {
  let flags: Flags;
  try {
    flags = parseFlags(args);
  } catch (error) {
    process.stderr.write(`itsyou: ${error instanceof Error ? error.message : error}. Try --help.\n`);
    return 2;
  }
  if (flags.help) {
    await print(USAGE);
    return 0;
  }
  await print(await obtain(flags));
  return 0;
}

/** The command line, each flag's value and their combination checked; anything wrong is a UsageError. */
function parseFlags(args: string[]): Flags {
  const { values } = parseArgs({ args, strict: true, options: FLAGS });
  if (
    values.validity !== undefined &&
    !(/^\d+$/.test(values.validity) && Number(values.validity) >= 1 &&
      Number(values.validity) <= LIMITS.validitySeconds)
  ) {
    throw new UsageError(`--validity takes a whole number of seconds from 1 to ${LIMITS.validitySeconds}`);
  }
  const baseUrlFlag: string | undefined = values["base-url"];
  if (baseUrlFlag !== undefined) checkFlag("--base-url", () => resolveBaseUrl(baseUrlFlag));
  for (const flag of ["scope", "audience"] as const) {
    if (hasControlCharacter(values[flag] ?? "")) {
      throw new UsageError(`--${flag} contains a control character`);
    }
  }
  checkCombination(values);
  return values;
}

/** Refuses flags that do not apply together. */
function checkCombination(values: Flags): void {
  if (
    values["access-token"] &&
    (values.verify || values["public-key"] || values.scope || values.audience || values.validity ||
      values.refreshable)
  ) {
    throw new UsageError("--access-token prints the access token; JWT flags do not apply to it");
  }
  if (values["public-key"] && !values.verify) throw new UsageError("--public-key needs --verify");
  if (values.derive && values["access-token"]) {
    throw new UsageError("--derive prints a derived JWT; --access-token does not apply to it");
  }
  if (values.refresh) {
    const given = { derive: values.derive, "access-token": values["access-token"], scope: values.scope } as const;
    const other = Object.entries({ ...given, audience: values.audience, refreshable: values.refreshable })
      .find(([, value]) => value)?.[0];
    if (other) {
      throw new UsageError(
        `--refresh renews the JWT in ITSYOU_JWT with its own scopes and audiences; --${other} does not apply to it`,
      );
    }
  }
  if (values.derive && values.refreshable) {
    throw new UsageError(
      "--derive never makes a refreshable JWT (whoever holds one can renew it for 30 days); leave out --refreshable",
    );
  }
}

/** A secret from the environment: never an argument, where `ps` and shell history would show it. */
function secret(name: string): string {
  const value = process.env[name] ?? "";
  if (value === "") {
    throw new ItsYouOnlineError(
      "INVALID_ARGUMENT",
      `${name} is not set; export it (secrets are never taken as arguments).`,
    );
  }
  return value;
}

/** What the flags ask for (an access token, or a JWT got, derived or refreshed, then verified), as the text to print. */
async function obtain(flags: Flags): Promise<string> {
  const baseUrl = flags["base-url"] ?? (process.env.ITSYOU_BASE_URL || undefined);
  const credentials = (): { clientId: string; clientSecret: string } => ({
    clientId: secret("ITSYOU_CLIENT_ID"),
    clientSecret: secret("ITSYOU_CLIENT_SECRET"),
  });
  if (flags["access-token"]) {
    const token = await getAccessToken({ ...credentials(), baseUrl });
    return flags.json ? `${JSON.stringify(token, null, 2)}\n` : `${token.accessToken}\n`;
  }
  const jwtOptions = {
    baseUrl,
    scope: flags.scope,
    audience: flags.audience,
    validity: flags.validity === undefined ? undefined : Number(flags.validity),
    refreshable: flags.refreshable,
  };
  // Refresh and delegation: the JWT comes from the environment too, as it is a secret.
  const jwt = flags.refresh
    ? await refreshJwt(secret("ITSYOU_JWT"), { baseUrl, validity: jwtOptions.validity })
    : flags.derive
    ? await deriveJwt(secret("ITSYOU_JWT"), jwtOptions)
    : await getJwt(credentials(), jwtOptions);
  let claims = decodeJwt(jwt);
  if (flags.verify) {
    const publicKey = flags["public-key"] ? await readPublicKey(flags["public-key"]) : undefined;
    // The signature, issuer and expiry of a JWT just received, whoever its audience: the command is not its audience.
    claims = await verifyJwt(jwt, { publicKey, anyAudience: true });
  }
  return flags.json ? `${JSON.stringify({ jwt, claims, verified: Boolean(flags.verify) }, null, 2)}\n` : `${jwt}\n`;
}

async function readPublicKey(path: string): Promise<string> {
  try {
    return await readFile(path, "utf8");
  } catch (error) {
    const reason = (error as { code?: string }).code ?? (error as Error).name;
    throw new ItsYouOnlineError(
      "INVALID_ARGUMENT",
      `Cannot read --public-key ${path} (${reason}); check the path, and run Deno with --allow-read=${path}.`,
    );
  }
}

try {
  process.exitCode = await main(process.argv.slice(2));
} catch (error) {
  process.exitCode = 1;
  if (error instanceof OutputError && error.code === "EPIPE") {
    // The reader went away (`| head -c0`): nobody is left to tell, and it chose not to read.
    process.exitCode = 0;
  } else if (error instanceof ItsYouOnlineError) {
    // Its message holds no secret by contract.
    process.stderr.write(`itsyou: ${error.code}: ${error.message}\n`);
  } else if (error instanceof OutputError) {
    process.stderr.write(`itsyou: ${error.message}\n`);
  } else if (error instanceof Error && /^(NotCapable|PermissionDenied)$/.test(error.name)) {
    // Deno's own words name the missing flag (and only a variable name or a host).
    process.stderr.write(`itsyou: ${error.message.split("\n")[0]}\n`);
  } else {
    // Anything else is reported by name only: its text could hold anything.
    process.stderr.write(`itsyou: unexpected ${error instanceof Error ? error.name : typeof error}\n`);
  }
}
