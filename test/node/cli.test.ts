/** cli.ts under real Deno (the README's one-liner), against the local server. */
import { afterAll, beforeAll, beforeEach, describe, expect, test } from "vitest";
import { spawn } from "node:child_process";
import { closeSync, mkdtempSync, openSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { decodeJwt, getAccessToken, getJwt, verifyJwt } from "../../mod.ts";
import { closedPortUrl, startFixture } from "../support/fixture.ts";
import type { Fixture } from "../support/fixture.ts";
import { findLeaks } from "../support/leaks.ts";

const root = fileURLToPath(new URL("../..", import.meta.url));
const DENO = join(root, "node_modules/.bin/deno");

let f: Fixture;
let dir: string;
beforeAll(async () => {
  f = await startFixture();
  dir = mkdtempSync(join(tmpdir(), "itsyou-cli-"));
  writeFileSync(join(dir, "local.pem"), f.server.publicKey);
});
afterAll(async () => {
  await f.server.close();
  rmSync(dir, { recursive: true, force: true });
});
beforeEach(() => f.server.reset());

interface CliRun {
  status: number | null;
  stdout: string;
  stderr: string;
}

/** The CLI's environment: the fixture's organization key and server, no colours, and nothing else of this process's. */
function cliEnvironment(extra: Record<string, string> = {}): Record<string, string> {
  return {
    PATH: process.env.PATH ?? "",
    ITSYOU_CLIENT_ID: f.org.clientId,
    ITSYOU_CLIENT_SECRET: f.org.clientSecret,
    ITSYOU_BASE_URL: f.at.baseUrl,
    NO_COLOR: "1",
    ...extra,
  };
}

/** `deno run --allow-net --allow-env cli.ts ARGS` from the repository root, as the README shows. */
function cli(
  args: string[],
  env: Record<string, string> = {},
  permissions = ["--allow-net", "--allow-env"],
): Promise<CliRun> {
  const child = spawn(DENO, ["run", ...permissions, "cli.ts", ...args], {
    cwd: root,
    env: cliEnvironment(env),
  });
  let stdout = "";
  let stderr = "";
  child.stdout.on("data", (chunk) => (stdout += chunk));
  child.stderr.on("data", (chunk) => (stderr += chunk));
  return new Promise((resolve) => child.on("close", (status) => resolve({ status, stdout, stderr })));
}

/** The CLI with `jwt` in ITSYOU_JWT, no client credentials, and leave to read ITSYOU_JWT and ITSYOU_BASE_URL only. */
function cliWithJwtOnly(args: string[], jwt: string): Promise<CliRun> {
  const host = new URL(f.at.baseUrl).host;
  return cli(args, { ITSYOU_JWT: jwt, ITSYOU_CLIENT_ID: "", ITSYOU_CLIENT_SECRET: "" }, [
    `--allow-net=${host}`,
    "--allow-env=ITSYOU_JWT,ITSYOU_BASE_URL",
  ]);
}

const NODE_24 = join(root, "node_modules/.bin/node");
const RUNTIMES: [string, string[]][] = [["Deno", [DENO, "run", "--allow-net", "--allow-env", "cli.ts"]], ["Node 24", [
  NODE_24,
  "cli.ts",
]]];

/** Runs the CLI with `stdout` as given: "closed" (the reader went away at once) or a file descriptor. */
function cliWithStdout(command: string[], stdout: "closed" | number, args: string[] = []): Promise<CliRun> {
  const child = spawn(command[0], [...command.slice(1), ...args], {
    cwd: root,
    env: cliEnvironment(),
    stdio: ["ignore", stdout === "closed" ? "pipe" : stdout, "pipe"],
  });
  child.stdout?.destroy(); // like `| head -c0`: nobody reads
  let stderr = "";
  child.stderr!.on("data", (chunk) => (stderr += chunk));
  return new Promise((resolve) => child.on("close", (status) => resolve({ status, stdout: "", stderr })));
}

/** One stderr line `itsyou: CODE: message`, exit 1, nothing on stdout, no secret anywhere. */
function expectError(run: CliRun, code: string, message: RegExp, secrets: Record<string, string> = {}): void {
  expect(run.status).toBe(1);
  expect(run.stdout).toBe("");
  expect(run.stderr.split("\n").filter(Boolean)).toHaveLength(1);
  expect(run.stderr).toMatch(new RegExp(`^itsyou: ${code}: `));
  expect(run.stderr).toMatch(message);
  expect(findLeaks({ secret: f.org.clientSecret, ...secrets }, { stdout: run.stdout, stderr: run.stderr })).toEqual([]);
}

describe("success", () => {
  test("prints a JWT, in one request, for the credentials in the environment", async () => {
    const run = await cli([]);
    expect(run.stderr).toBe("");
    expect(run.status).toBe(0);
    const jwt = run.stdout.trim();
    expect(run.stdout).toBe(`${jwt}\n`);
    expect((await verifyJwt(jwt, { publicKey: f.server.publicKey })).globalid).toBe("acme");
    expect(f.server.count()).toBe(1);
  });

  test("--scope, --audience, --validity and --refreshable shape the JWT", async () => {
    const run = await cli(["--scope", "organization:owner", "--audience", "a,b", "--validity", "300", "--refreshable"]);
    expect(run.status).toBe(0);
    const claims = decodeJwt(run.stdout.trim());
    expect(claims).toMatchObject({ scope: ["organization:owner"], aud: ["a", "b"], refresh_token: expect.any(String) });
    expect(claims.exp! - f.server.now() / 1000).toBeLessThanOrEqual(300);
  });

  test("--json prints the JWT and its decoded claims", async () => {
    const run = await cli(["--json"]);
    expect(run.status).toBe(0);
    const result = JSON.parse(run.stdout);
    expect(result).toEqual({ jwt: expect.any(String), claims: decodeJwt(result.jwt), verified: false });
  });

  test("--verify --public-key FILE verifies with a self-hosted server's key (needs --allow-read)", async () => {
    const run = await cli(["--verify", "--public-key", join(dir, "local.pem"), "--json"], {}, [
      "--allow-net",
      "--allow-env",
      "--allow-read",
    ]);
    expect(run.stderr).toBe("");
    expect(JSON.parse(run.stdout)).toMatchObject({ verified: true, claims: { globalid: "acme" } });
  });

  test("--verify defaults to itsyou.online's key, which refuses the local server's JWT", async () => {
    expectError(await cli(["--verify"]), "JWT_SIGNATURE_INVALID", /check publicKey/);
  });

  test("--access-token prints the access token; with --json the whole AccessToken", async () => {
    const plain = await cli(["--access-token"]);
    expect(plain.stdout).toMatch(/^[\w-]{28}\n$/);
    const json = JSON.parse((await cli(["--access-token", "--json"])).stdout);
    expect(json).toMatchObject({ tokenType: "bearer", scopes: ["organization:owner"], expiresIn: 85799 });
  });

  test("--base-url wins over ITSYOU_BASE_URL", async () => {
    const run = await cli(["--base-url", f.at.baseUrl], { ITSYOU_BASE_URL: "https://unused.example" });
    expect(run.status).toBe(0);
    expect(f.server.count()).toBe(1);
  });

  test("--help prints the usage and exits 0", async () => {
    const run = await cli(["--help"]);
    expect(run.status).toBe(0);
    expect(run.stdout).toMatch(
      /^Usage: deno run --allow-net=HOST --allow-env=ITSYOU_CLIENT_ID,ITSYOU_CLIENT_SECRET,ITSYOU_BASE_URL cli\.ts/,
    );
  });
});

describe("--derive (delegation)", () => {
  /** A refreshable JWT of the user alice, as a service would have received it. */
  async function userJwt(refreshable = true): Promise<string> {
    const token = await getAccessToken({ ...f.user, ...f.at });
    return getJwt(token, { ...f.at, scope: "user:name", refreshable, validity: 600 });
  }

  test("derives a JWT from ITSYOU_JWT for another audience, with only --allow-env=ITSYOU_JWT,ITSYOU_BASE_URL", async () => {
    const parent = await userJwt();
    const run = await cliWithJwtOnly(["--derive", "--audience", "billing", "--scope", "user:name", "--json"], parent);
    expect(run.stderr).toBe("");
    expect(run.status).toBe(0);
    const { jwt, claims } = JSON.parse(run.stdout);
    expect(claims).toMatchObject({ username: "alice", aud: ["billing"], scope: ["user:name"] });
    expect(decodeJwt(jwt).exp).toBeLessThanOrEqual(decodeJwt(parent).exp!);
    expect(findLeaks({ parent }, { stdout: run.stdout.replace(jwt, ""), stderr: run.stderr })).toEqual([]);
  });

  test("without ITSYOU_JWT: one line saying to export it", async () => {
    expectError(await cli(["--derive"], { ITSYOU_JWT: "" }), "INVALID_ARGUMENT", /ITSYOU_JWT is not set; export it/);
    expect(f.server.count()).toBe(0);
  });

  test("an organization's JWT: one line saying what to do instead, nothing sent", async () => {
    const organization = await getJwt(f.org, { ...f.at, refreshable: true });
    f.server.reset();
    expectError(await cli(["--derive"], { ITSYOU_JWT: organization }), "INVALID_ARGUMENT", /not a user's/, {
      organization,
    });
    expect(f.server.count()).toBe(0);
  });

  test("--derive with --access-token exits 2", async () => {
    const run = await cli(["--derive", "--access-token"]);
    expect(run.status).toBe(2);
    expect(run.stderr).toMatch(/^itsyou: --derive prints a derived JWT/);
  });

  test("--derive with --refreshable exits 2: a derived JWT is never refreshable", async () => {
    const run = await cli(["--derive", "--refreshable"]);
    expect(run.status).toBe(2);
    expect(run.stderr).toMatch(/^itsyou: --derive never makes a refreshable JWT/);
  });

  test("--derive --scope user:memberof:X that ITSYOU_JWT does not hold: one line saying why, nothing sent", async () => {
    const parent = await userJwt();
    f.server.reset();
    expectError(
      await cli(["--derive", "--scope", "user:memberof:acme"], { ITSYOU_JWT: parent }),
      "INVALID_ARGUMENT",
      /does not hold "user:memberof:acme": ItsYou.online does not check membership/,
      { parent },
    );
    expect(f.server.count()).toBe(0);
  });
});

describe("--refresh (jobs longer than the JWT)", () => {
  test("renews the refreshable JWT in ITSYOU_JWT, with only --allow-env=ITSYOU_JWT,ITSYOU_BASE_URL, keeping its refresh_token", async () => {
    const jwt = await getJwt(f.org, { ...f.at, refreshable: true, audience: "deploy", validity: 60 });
    f.server.reset();
    f.server.advanceClock(1); // a new exp, so the renewal differs
    const run = await cliWithJwtOnly(["--refresh", "--validity", "900", "--json"], jwt);
    expect(run.stderr).toBe("");
    expect(run.status).toBe(0);
    const { jwt: renewed, claims } = JSON.parse(run.stdout);
    expect(renewed).not.toBe(jwt);
    expect(claims).toMatchObject({ aud: ["deploy"], refresh_token: decodeJwt(jwt).refresh_token });
    expect(f.server.requests.map((request) => request.path)).toEqual(["/v1/oauth/jwt/refresh"]);
    expect(new URLSearchParams(f.server.requests[0].body).get("validity")).toBe("900");
  });

  test("a JWT that is not refreshable: one line, exit 1, nothing sent", async () => {
    const jwt = await getJwt(f.org, { ...f.at, validity: 60 });
    f.server.reset();
    expectError(await cli(["--refresh"], { ITSYOU_JWT: jwt }), "NOT_REFRESHABLE", /cannot be refreshed/, { jwt });
    expect(f.server.count()).toBe(0);
  });

  test.each(["--derive", "--access-token", "--scope=a", "--audience=b", "--refreshable"])(
    "--refresh with %s exits 2: a refresh keeps the JWT's own scopes and audiences",
    async (flag) => {
      const run = await cli(["--refresh", flag]);
      expect(run.status).toBe(2);
      expect(run.stderr).toMatch(
        /^itsyou: --refresh renews the JWT in ITSYOU_JWT with its own scopes and audiences; --/,
      );
    },
  );
});

describe("stdout and permissions", () => {
  test.each(RUNTIMES)("%s: a closed stdout (| head -c0) ends quietly, after the request", async (_, command) => {
    const run = await cliWithStdout(command, "closed");
    expect(run.stderr).toBe("");
    expect(run.status).toBe(0);
    expect(f.server.count()).toBe(1);
  });

  test.each(RUNTIMES)("%s: an unwritable stdout (> /dev/full) is one itsyou: line, exit 1", async (_, command) => {
    const full = openSync("/dev/full", "w");
    try {
      const run = await cliWithStdout(command, full);
      expect(run.stderr).toBe(
        "itsyou: cannot write the result to stdout (ENOSPC); check where stdout goes (a full disk, a closed file)\n",
      );
      expect(run.status).toBe(1);
    } finally {
      closeSync(full);
    }
  });

  test("Deno without --allow-env: one line with Deno's own words naming the flag", async () => {
    const run = await cli([], {}, ["--allow-net"]);
    expect(run.status).toBe(1);
    expect(run.stderr).toMatch(/^itsyou: Requires env access to "ITSYOU_\w+", run again with the --allow-env flag\n$/);
  });

  test("Deno without --allow-net for the server: one line naming the flag and the host", async () => {
    const run = await cli([], {}, ["--allow-net=example.com", "--allow-env"]);
    const host = new URL(f.at.baseUrl).host;
    expectError(run, "FETCH_ERROR", new RegExp(`--allow-net=${host.replace(/\./g, "\\.")}`));
    expect(f.server.count()).toBe(0);
  });

  test("the narrowest permissions --help and the README name are enough", async () => {
    const host = new URL(f.at.baseUrl).host;
    const run = await cli(["--audience", "api"], {}, [
      `--allow-net=${host}`,
      "--allow-env=ITSYOU_CLIENT_ID,ITSYOU_CLIENT_SECRET,ITSYOU_BASE_URL",
    ]);
    expect(run.stderr).toBe("");
    expect(run.status).toBe(0);
    expect(decodeJwt(run.stdout.trim()).aud).toEqual(["api"]);
    const help = (await cli(["--help"])).stdout;
    expect(help).toContain("--allow-env=ITSYOU_CLIENT_ID,ITSYOU_CLIENT_SECRET,ITSYOU_BASE_URL");
    expect(help).toContain("--allow-net=itsyou.online");
  });
});

describe("failures", () => {
  test.each([
    ["ITSYOU_CLIENT_ID", { ITSYOU_CLIENT_ID: "" }],
    ["ITSYOU_CLIENT_SECRET", { ITSYOU_CLIENT_SECRET: "" }],
  ])("a missing %s is INVALID_ARGUMENT, with no request", async (name, env) => {
    expectError(await cli([], env), "INVALID_ARGUMENT", new RegExp(`${name} is not set`));
    expect(f.server.count()).toBe(0);
  });

  test("a wrong secret is one HTTP_ERROR line without the secret", async () => {
    const run = await cli([], { ITSYOU_CLIENT_SECRET: "wrong-secret-value-42" });
    expectError(run, "HTTP_ERROR", /client credentials flow enabled/, { wrong: "wrong-secret-value-42" });
  });

  test("a server that is down is a NETWORK_ERROR", async () => {
    expectError(await cli(["--base-url", await closedPortUrl()]), "NETWORK_ERROR", /Could not reach ItsYou\.online/);
  });

  test("a server error is reported after the retries", async () => {
    f.server.inject({ path: "/v1/oauth/access_token", times: 4, fault: { type: "respond", status: 502 } });
    expectError(await cli([]), "HTTP_ERROR", /HTTP 502.*gave up after 4 attempts/);
  });

  test("an unreadable --public-key says what to check", async () => {
    const run = await cli(["--verify", "--public-key", join(dir, "missing.pem")], {}, [
      "--allow-net",
      "--allow-env",
      "--allow-read",
    ]);
    expectError(run, "INVALID_ARGUMENT", /Cannot read --public-key .*missing\.pem \(ENOENT\)/);
  });

  test.each([
    ["an unknown flag", ["--secret", "x"]],
    ["a flag without its value", ["--scope"]],
    ["a non-numeric --validity", ["--validity", "1h"]],
    ["--validity 0", ["--validity", "0"]],
    ["--validity 100000", ["--validity", "100000"]],
    ["an http: --base-url to another host", ["--base-url", "http://itsyou.example"]],
    ["a --base-url with an empty path segment", ["--base-url", "https://id.example.com//x"]],
    ["a --scope with a control character", ["--scope", "a\u0001b"]],
    ["--access-token with JWT flags", ["--access-token", "--verify"]],
    ["--public-key without --verify", ["--public-key", "k.pem"]],
    ["a positional argument", ["extra"]],
  ])("%s exits 2 with one line on stderr", async (_, args) => {
    const run = await cli(args);
    expect(run.status).toBe(2);
    expect(run.stdout).toBe("");
    expect(run.stderr).toMatch(/^itsyou: .*Try --help\.\n$/);
    expect(f.server.count()).toBe(0);
  });
});
