/**
 * End-to-end: dist/index.js in a child process under Node 24, with the
 * runner's environment, against the local server (and through a proxy).
 */
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { execFileSync, spawn } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { createServer } from "node:http";
import type { Server } from "node:http";
import { connect } from "node:net";
import type { AddressInfo, Socket } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { decodeJwt, verifyJwt } from "../../mod.ts";
import { authorizationCode, closedPortUrl, startFixture } from "../support/fixture.ts";
import {
  ACTION,
  laterStepEnvironment,
  maskingProblems,
  NODE_24,
  runAction,
  runLaterStep,
  runnerEnvironment,
} from "../support/action.ts";
import type { ActionRun } from "../support/action.ts";
import { findLeaks } from "../support/leaks.ts";
import { useServerFixture } from "../support/expect.ts";
import type { Fixture } from "../support/fixture.ts";

const f = useServerFixture();

const orgInputs = (extra: Record<string, string> = {}): Record<string, string> => ({
  "client-id": f.org.clientId,
  "client-secret": f.org.clientSecret,
  "base-url": f.at.baseUrl,
  ...extra,
});

/** A JWT of ItsYou.online's with these claims, valid for ten minutes, its signature a placeholder. */
function unsignedJwt(claims: Record<string, unknown>): string {
  const b64 = (value: unknown): string => Buffer.from(JSON.stringify(value)).toString("base64url");
  return `${b64({ alg: "ES384" })}.${
    b64({ iss: "itsyouonline", exp: Math.floor(Date.now() / 1000) + 600, ...claims })
  }.AAAA`;
}

/** The server answers the action's next JWT request (client credentials with response_type=id_token) with `jwt`. */
function answerJwtRequestWith(jwt: string): void {
  f.server.inject({
    path: "/v1/oauth/access_token",
    body: /response_type=id_token/,
    fault: { type: "respond", status: 200, body: jwt, headers: { "content-type": "application/jwt" } },
  });
}

/** The error lines the runner shows as annotations. */
const errorLines = (run: ActionRun): string[] => run.stdout.split("\n").filter((line) => line.startsWith("::error::"));

/**
 * A failure is one `::error::itsyou-token-action:` line, exit 1, no outputs or env, and each of `secrets`
 * masked before anything else could print it and found nowhere else.
 */
function expectFailure(run: ActionRun, message: RegExp, secrets: Record<string, string>): void {
  expect(run.status).toBe(1);
  const errors = errorLines(run);
  expect(errors).toHaveLength(1);
  expect(errors[0]).toMatch(/^::error::itsyou-token-action: /);
  expect(errors[0]).toMatch(message);
  expect(run.outputs).toEqual({});
  expect(run.env).toEqual({});
  expect(maskingProblems(run, secrets, Object.keys(secrets))).toEqual([]);
  expect(findLeaks(secrets, { outputs: run.outputsFile, summary: run.summary, stderr: run.stderr })).toEqual([]);
}

test("the harness runs the runtime action.yml declares", () => {
  expect(ACTION.runs).toEqual({ using: "node24", main: "dist/index.js" });
  expect(execFileSync(NODE_24, ["--version"], { encoding: "utf8" })).toMatch(/^v24\./);
});

describe("client_credentials", () => {
  test("sets every output, masks every secret before use, and writes a secret-free summary", async () => {
    const run = await runAction(
      orgInputs({ audience: "deploy,ops", validity: "900", refreshable: "true", "export-env": "true" }),
    );
    expect(run.stderr).toBe("");
    expect(run.status).toBe(0);
    const { outputs } = run;
    expect(Object.keys(outputs).sort()).toEqual(Object.keys(ACTION.outputs).sort());
    const claims = await verifyJwt(outputs.jwt, { publicKey: f.server.publicKey, audience: "ops" });
    expect(outputs).toEqual({
      "access-token": expect.stringMatching(/^[\w-]{28}$/),
      "token-type": "bearer",
      "expires-in": "85799",
      "expires-at": expect.stringMatching(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/),
      scope: "organization:owner",
      username: "",
      "id-token": "",
      jwt: outputs.jwt,
      "jwt-expires-at": new Date(claims.exp! * 1000).toISOString(),
      globalid: "acme",
    });
    expect(Date.parse(outputs["expires-at"]) - Date.now()).toBeGreaterThan(85_700_000);
    expect(claims).toMatchObject({ aud: ["deploy", "ops"], refresh_token: expect.any(String) });
    expect(claims.exp! - f.server.now() / 1000).toBeLessThanOrEqual(900);
    expect(run.env).toEqual({
      ITSYOU_ACCESS_TOKEN: outputs["access-token"],
      ITSYOU_JWT: outputs.jwt,
      ITSYOU_BASE_URL: `${f.at.baseUrl}/`,
    });

    const secrets = {
      clientSecret: f.org.clientSecret,
      accessToken: outputs["access-token"],
      jwt: outputs.jwt,
      refreshToken: claims.refresh_token,
    };
    expect(maskingProblems(run, secrets, Object.keys(secrets))).toEqual([]);
    const { "access-token": _token, jwt: _jwt, ...others } = outputs;
    expect(findLeaks(secrets, { others, summary: run.summary, stderr: run.stderr })).toEqual([]);
    expect(findLeaks({ clientSecret: f.org.clientSecret, jwt: outputs.jwt }, { accessTokenOutput: _token })).toEqual(
      [],
    );
    expect(findLeaks({ clientSecret: f.org.clientSecret, accessToken: _token }, { jwtOutput: _jwt })).toEqual([]);

    expect(run.summary).toContain("organization acme");
    expect(run.summary).toContain("deploy, ops");
    expect(run.summary).toContain("octo-org/deploy-repo run 4242");
    // The access token and the JWT (straight from the credentials) at once: two requests, neither waiting.
    expect(f.server.requests.map((request) => request.path)).toEqual([
      "/v1/oauth/access_token",
      "/v1/oauth/access_token",
    ]);
    expect(f.server.requests.filter((request) => /response_type=id_token/.test(request.body))).toHaveLength(1);
    const { version } = JSON.parse(readFileSync(new URL("../../package.json", import.meta.url), "utf8"));
    expect(f.server.requests[0].headers["user-agent"]).toBe(
      `itsyou-token-action/${version} (octo-org/deploy-repo; run 4242)`,
    );
  });

  test("jwt: false makes one request and sets no JWT outputs", async () => {
    const run = await runAction(orgInputs({ jwt: "false" }));
    expect(run.status).toBe(0);
    expect(run.outputs.jwt).toBeUndefined();
    expect(run.outputs["access-token"]).toMatch(/^[\w-]{28}$/);
    expect(f.server.count()).toBe(1);
  });

  test("a user API key gets username and user:admin", async () => {
    const run = await runAction({
      "client-id": f.user.clientId,
      "client-secret": f.user.clientSecret,
      "base-url": f.at.baseUrl,
      scope: "user:name",
    });
    expect(run.status).toBe(0);
    expect(run.outputs).toMatchObject({ username: "alice", scope: "user:admin", globalid: "" });
    expect(decodeJwt(run.outputs.jwt).scope).toEqual(["user:name"]);
    expect(run.summary).toContain("user alice");
  });

  test("debug lines show endpoints and statuses, never a secret", async () => {
    f.server.inject({ path: "/v1/oauth/access_token", fault: { type: "respond", status: 503 } });
    const run = await runAction(orgInputs(), { RUNNER_DEBUG: "1" });
    expect(run.status).toBe(0);
    expect(run.stdout).toContain("::debug::POST /v1/oauth/access_token → HTTP 503");
    expect(run.stdout).toContain("::debug::POST /v1/oauth/access_token → HTTP 200");
    const secrets = {
      clientSecret: f.org.clientSecret,
      accessToken: run.outputs["access-token"],
      jwt: run.outputs.jwt,
    };
    expect(maskingProblems(run, secrets, Object.keys(secrets))).toEqual([]);
  });
});

describe("authorization_code", () => {
  test("exchanges a code from /v1/oauth/authorize, masking it first", async () => {
    const code = await authorizationCode(f, "user:name", "st8");
    const run = await runAction(
      orgInputs({ "grant-type": "authorization_code", code, "redirect-uri": f.callbackUrl, state: "st8" }),
    );
    expect(run.status).toBe(0);
    expect(run.outputs).toMatchObject({ username: "alice", scope: "user:name,grant:deployer" });
    const secrets = {
      clientSecret: f.org.clientSecret,
      code,
      accessToken: run.outputs["access-token"],
      jwt: run.outputs.jwt,
    };
    expect(maskingProblems(run, secrets, Object.keys(secrets))).toEqual([]);
  });

  test("with openid authorized, outputs the id_token as id-token, masked before anything else", async () => {
    const code = await authorizationCode(f, "user:name,openid", "st8");
    const run = await runAction(
      orgInputs({ "grant-type": "authorization_code", code, "redirect-uri": f.callbackUrl, state: "st8" }),
    );
    expect(run.status).toBe(0);
    const idToken = run.outputs["id-token"];
    expect((await verifyJwt(idToken, { publicKey: f.server.publicKey, audience: "acme" })).sub).toBe("alice");
    const secrets = {
      clientSecret: f.org.clientSecret,
      code,
      idToken,
      accessToken: run.outputs["access-token"],
      jwt: run.outputs.jwt,
    };
    expect(maskingProblems(run, secrets, Object.keys(secrets))).toEqual([]);
    const masks = run.stdout.split("\n").filter((line) => line.startsWith("::add-mask::"));
    expect(masks.indexOf(`::add-mask::${idToken}`)).toBeLessThan(
      masks.indexOf(`::add-mask::${run.outputs["access-token"]}`),
    );
    expect(findLeaks({ idToken }, { summary: run.summary, stderr: run.stderr })).toEqual([]);
  });

  test("an expired code fails with the code flow's advice, the code masked", async () => {
    const run = await runAction(
      orgInputs({
        "grant-type": "authorization_code",
        code: "expiredCodeAbcdefghijklmnopq",
        "redirect-uri": f.callbackUrl,
      }),
    );
    expectFailure(run, /valid for 10 seconds/, {
      clientSecret: f.org.clientSecret,
      code: "expiredCodeAbcdefghijklmnopq",
    });
  });
});

describe("failures: one error line, nothing leaked", () => {
  test("a wrong client secret: HTTP_ERROR saying to check the credentials and the client credentials flow", async () => {
    const run = await runAction(orgInputs({ "client-secret": "wrong-secret-value-123" }));
    expectFailure(run, /client credentials flow enabled.*\[HTTP_ERROR\]$/, { clientSecret: "wrong-secret-value-123" });
  });

  test("a server that refuses connections: NETWORK_ERROR after the retries, naming ECONNREFUSED", async () => {
    const run = await runAction(orgInputs({ "base-url": await closedPortUrl(), retries: "1" }));
    expectFailure(run, /Could not reach ItsYou\.online.*ECONNREFUSED.*\[NETWORK_ERROR\]$/, {
      clientSecret: f.org.clientSecret,
    });
  });

  test("a server slower than the timeout: TIMEOUT after the retries, both requests tried twice", async () => {
    f.server.inject({ path: "/v1/oauth/access_token", times: 4, fault: { type: "delay-headers", ms: 3000 } });
    const run = await runAction(orgInputs({ timeout: "1", retries: "1" }));
    expectFailure(run, /within 1000 ms.*gave up after 2 attempts.*\[TIMEOUT\]$/, { clientSecret: f.org.clientSecret });
    expect(f.server.count()).toBe(4); // the token and the JWT requests, each tried twice, side by side
  });

  test("a JWT scope that is not granted fails with the scope advice, the secret masked", async () => {
    const run = await runAction(orgInputs({ scope: "user:name" }));
    expectFailure(
      run,
      /HTTP 401 Unauthorized from \/v1\/oauth\/access_token\. The requested JWT scope is not covered.*check scope/,
      { clientSecret: f.org.clientSecret },
    );
  });

  test.each([
    ["a missing client-id", { "client-id": "" }, /client-id is empty\. Check that the secret exists/],
    ["a missing client-secret", { "client-secret": "" }, /client-secret is empty\. Check that the secret exists/],
    ["a bad grant-type", { "grant-type": "password" }, /grant-type must be client_credentials or authorization_code/],
    ["authorization_code without a code", { "grant-type": "authorization_code" }, /code and redirect-uri are required/],
    ["a non-numeric validity", { validity: "1h" }, /validity must be a whole number of seconds from 1 to 86400/],
    ["a zero validity", { validity: "0" }, /validity must be/],
    ["a huge validity", { validity: "999999" }, /validity must be/],
    ["a negative timeout", { timeout: "-1" }, /timeout must be a number of seconds from 0.1 to 600/],
    ["a bad retries", { retries: "many" }, /retries must be a whole number of retries from 0 to 10/],
    ["an http: base-url", { "base-url": "http://itsyou.example" }, /base-url is not usable: base-url must use https/],
    ["a base-url with credentials", { "base-url": "https://u:p@itsyou.example" }, /base-url is not usable/],
    ["a javascript: base-url", { "base-url": "javascript:alert(1)" }, /base-url is not usable/],
    ["a bad boolean", { jwt: "yes" }, /jwt must be true or false/],
    ["a bad export-env", { "export-env": "1" }, /export-env must be true or false/],
    [
      "a multi-line client-secret",
      { "client-secret": "first-line-secret\nsecond-line-secret" },
      /client-secret contains a line break/,
    ],
    ["a scope with a newline", { scope: "a\nb" }, /scope contains a line break/],
    ["a whitespace-only client-secret", { "client-secret": "   " }, /client-secret is empty/],
    ["a very long client-id", { "client-id": "x".repeat(5000) }, /client-id is longer than 4096 characters/],
    [
      "a base-url with a query",
      { "base-url": "https://itsyou.example/?next=1" },
      /base-url is not usable: .*query or a fragment/,
    ],
    ["a base-url with a fragment", { "base-url": "https://itsyou.example/#x" }, /base-url is not usable/],
  ] as [string, Record<string, string>, RegExp][])(
    "%s: names the input, requests nothing",
    async (_, change, message) => {
      const run = await runAction(orgInputs(change));
      // A multi-line secret is masked line by line too, so no line of it can show on its own.
      const lines = (change["client-secret"] ?? f.org.clientSecret).split("\n").filter((line) => line.trim() !== "");
      expectFailure(run, message, Object.fromEntries(lines.map((line, i) => [`clientSecret line ${i}`, line])));
      expect(f.server.count()).toBe(0);
    },
  );
});

describe("server-controlled text is data", () => {
  const hostile = "x\n::warning title=Injected::pwned\n::stop-commands::halt\n<img src=x onerror=alert(1)>";

  test("a JWT's globalid with line breaks, workflow commands and HTML reaches neither the log nor the summary raw", async () => {
    const jwt = unsignedJwt({ globalid: hostile, scope: [] });
    answerJwtRequestWith(jwt);
    const run = await runAction(orgInputs());
    expect(run.status).toBe(0);
    const lines = run.stdout.split("\n");
    expect(lines.filter((line) => /^\s*::(warning|stop-commands)/.test(line))).toEqual([]);
    expect(run.stdout).not.toContain("::stop-commands::");
    expect(lines.find((line) => line.startsWith("Got an access token"))).toMatch(/for x\ufffd:\u200b:warning/);
    expect(run.summary).not.toContain("<img");
    expect(run.summary).toContain("&#60;img src=x onerror=alert(1)&#62;");
    expect(run.outputs.globalid).toBe(hostile); // outputs are data files with a random delimiter: kept as sent
  });

  test("a username with markup and command markers is escaped in the log and the summary", async () => {
    const username = "<script>alert(1)</script>::stop-commands::halt##[add-path]/evil";
    const body = JSON.stringify({
      access_token: "a".repeat(28),
      token_type: "bearer",
      scope: "user:admin",
      expires_in: 85799,
      info: { username },
    });
    f.server.inject({
      path: "/v1/oauth/access_token",
      fault: { type: "respond", status: 200, body, headers: { "content-type": "application/json" } },
    });
    const run = await runAction(orgInputs({ jwt: "false" }));
    expect(run.status).toBe(0);
    expect(run.stdout).not.toContain("::stop-commands::");
    expect(run.stdout).not.toContain("##[add-path]");
    expect(run.summary).not.toContain("<script>");
    expect(run.summary).toContain("&#60;script&#62;");
  });

  test("a username with a line break is refused by mod.ts: one error line, no injected command", async () => {
    const body = JSON.stringify({
      access_token: "a".repeat(28),
      token_type: "bearer",
      scope: "",
      expires_in: 60,
      info: { username: "eve\n::warning title=Injected::x" },
    });
    f.server.inject({
      path: "/v1/oauth/access_token",
      fault: { type: "respond", status: 200, body, headers: { "content-type": "application/json" } },
    });
    const run = await runAction(orgInputs());
    expectFailure(run, /info\.username is not a user name.*\[INVALID_RESPONSE\]$/, {
      clientSecret: f.org.clientSecret,
    });
    expect(run.stdout).not.toMatch(/^::warning/m);
  });
});

describe("the job summary is one HTML table, whatever the claims hold", () => {
  test("line breaks in globalid, scope and aud are collapsed: no blank line ends the table, no Markdown after it", async () => {
    const breakout = "x\n\n# Injected heading\n\n[a link](https://evil.example)\r\n";
    const jwt = unsignedJwt({ globalid: breakout, scope: [breakout], aud: [breakout, "api"] });
    answerJwtRequestWith(jwt);
    const run = await runAction(orgInputs());
    expect(run.status).toBe(0);
    const table = run.summary.slice(
      run.summary.indexOf("<table>"),
      run.summary.indexOf("</table>") + "</table>".length,
    );
    expect(table).toMatch(/^<table>[\s\S]*<\/table>$/);
    expect(table).not.toMatch(/\n\s*\n/); // a blank line would end the HTML block
    expect(run.summary.replace(table, "")).not.toMatch(/Injected|evil\.example/); // nothing outside the table
    expect(run.summary.split("\n").filter((line) => /^\s*#/.test(line))).toEqual([]); // no Markdown heading anywhere
    expect(table).toContain("x\ufffd\ufffd# Injected heading");
  });
});

describe("a JWT whose claims have the wrong types is a bad response", () => {
  test.each([
    ["refresh_token", 12345, /refresh_token claim is not a string/],
    ["scope", "organization:owner", /scope claim is not a list of strings/],
    ["aud", [1], /aud claim is not a string or a list of strings/],
    ["globalid", { org: "acme" }, /globalid claim is not a string or null/],
  ])("%s = %j: one INVALID_RESPONSE line naming the claim", async (claim, value, message) => {
    const jwt = unsignedJwt({ globalid: "acme", scope: [], [claim]: value });
    answerJwtRequestWith(jwt);
    const run = await runAction(orgInputs({ refreshable: "true" }));
    expectFailure(run, new RegExp(`${message.source}.*\\[INVALID_RESPONSE\\]$`), { clientSecret: f.org.clientSecret });
    expect(errorLines(run)[0]).not.toMatch(/unexpected/);
  });
});

describe("where an empty secret comes from", () => {
  const withEvent = (payload: unknown, extra: Record<string, string> = {}): Record<string, string> => {
    const dir = mkdtempSync(join(tmpdir(), "itsyou-event-"));
    const path = join(dir, "event.json");
    writeFileSync(path, JSON.stringify(payload));
    return { GITHUB_EVENT_PATH: path, GITHUB_EVENT_NAME: "pull_request", GITHUB_ACTOR: "octocat", ...extra };
  };
  const pull = (head: string, fork: boolean) => ({
    pull_request: {
      number: 1,
      head: { repo: { full_name: head, fork } },
      base: { repo: { full_name: "octo-org/deploy-repo" } },
    },
  });

  test("a pull request from a fork: says so, naming the fork, and sends nothing", async () => {
    const run = await runAction(orgInputs({ "client-secret": "" }), withEvent(pull("mallory/deploy-repo", true)));
    expectFailure(
      run,
      /Input client-secret is empty\. This run comes from a pull request from the fork mallory\/deploy-repo, and GitHub passes no secrets/,
      {},
    );
    expect(f.server.count()).toBe(0);
  });

  test("Dependabot: says to add a Dependabot secret", async () => {
    const run = await runAction(
      orgInputs({ "client-secret": "" }),
      withEvent(pull("octo-org/deploy-repo", false), { GITHUB_ACTOR: "dependabot[bot]" }),
    );
    expectFailure(run, /started by Dependabot.*Dependabot secrets/, {});
  });

  test("a pull request from the same repository: says to check the secret and how it is passed", async () => {
    const run = await runAction(orgInputs({ "client-secret": "" }), withEvent(pull("octo-org/deploy-repo", false)));
    expectFailure(run, /Check that the secret exists .* client-secret: \$\{\{ secrets\.ITSYOU_CLIENT_SECRET \}\}/, {});
    expect(errorLines(run)[0]).not.toMatch(/fork|Dependabot/);
  });
});

describe("advice that fits the failure, through the action's own fetch", () => {
  test("https: to a plain-HTTP port: scheme and port, no certificate advice", async () => {
    const run = await runAction(orgInputs({ "base-url": f.at.baseUrl.replace("http:", "https:"), retries: "0" }));
    expectFailure(
      run,
      /TLS handshake with https:\/\/127\.0\.0\.1:\d+ failed before any certificate was checked.*scheme and port.*\[TLS_ERROR\]$/,
      { clientSecret: f.org.clientSecret },
    );
    expect(errorLines(run)[0]).not.toMatch(/NODE_EXTRA_CA_CERTS/);
  });

  test("another service on the port: INVALID_RESPONSE naming the base URL", async () => {
    const { createServer: createTcpServer } = await import("node:net");
    const sockets: Socket[] = [];
    const ssh = createTcpServer((socket) =>
      void sockets.push(socket.on("error", () => {}).end("SSH-2.0-OpenSSH_9.2p1\r\n"))
    );
    await new Promise<void>((resolve) => ssh.listen(0, "127.0.0.1", resolve));
    try {
      const baseUrl = `http://127.0.0.1:${(ssh.address() as AddressInfo).port}`;
      const run = await runAction(orgInputs({ "base-url": baseUrl, retries: "0" }));
      expectFailure(
        run,
        new RegExp(
          `What answered at ${
            baseUrl.replace(/\./g, "\\.")
          } for /v1/oauth/access_token is not an HTTP/1\\.1 server.*\\[INVALID_RESPONSE\\]$`,
        ),
        { clientSecret: f.org.clientSecret },
      );
    } finally {
      for (const socket of sockets) socket.destroy();
      await new Promise((resolve) => ssh.close(resolve));
    }
  });
});

describe("outside a runner", () => {
  test("no GITHUB_OUTPUT: one error line saying where to run the action, before any request", async () => {
    const run = await runAction(orgInputs(), { GITHUB_OUTPUT: "" });
    expectFailure(
      run,
      /The environment variable GITHUB_OUTPUT is not set; run this action as a step on a GitHub Actions runner\. \[INVALID_ARGUMENT\]$/,
      { clientSecret: f.org.clientSecret },
    );
    expect(f.server.count()).toBe(0);
  });
});

describe("the end of the step", () => {
  test("a slow reader of stdout still gets every line: the process ends once its output is written, not before", async () => {
    // A JWT of about 100 kB: its ::add-mask:: line alone is more than a pipe holds (64 kB), so the last lines wait.
    const scope = Array.from({ length: 3200 }, (_, i) => `user:memberof:org-${i}`);
    const jwt = unsignedJwt({ globalid: "acme", scope });
    expect(jwt.length).toBeGreaterThan(100_000);
    expect(jwt.length).toBeLessThan(128 * 1024);
    answerJwtRequestWith(jwt);
    const dir = mkdtempSync(join(tmpdir(), "itsyou-slow-reader-"));
    try {
      const env = runnerEnvironment(orgInputs(), dir);
      for (const file of [env.GITHUB_OUTPUT, env.GITHUB_ENV, env.GITHUB_PATH, env.GITHUB_STEP_SUMMARY]) {
        writeFileSync(file, "");
      }
      // The step's stdout is a pipe whose reader waits two seconds before it reads anything.
      const script = `"$NODE" "$MAIN" | { sleep 2; cat; }; exit \${PIPESTATUS[0]}`;
      const child = spawn("bash", ["-c", script], {
        env: { ...env, NODE: NODE_24, MAIN: join(process.cwd(), ACTION.runs.main) },
        cwd: dir,
      });
      let stdout = "";
      child.stdout.on("data", (chunk) => (stdout += chunk));
      expect(await new Promise((resolve) => child.on("close", resolve))).toBe(0);
      expect(stdout).toContain(`::add-mask::${jwt}\n`);
      expect(stdout.trimEnd().split("\n").at(-1)).toBe(
        `Got an access token and a JWT for acme from ${new URL(f.at.baseUrl).host}.`,
      );
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe("the runner's files", () => {
  test("export-env without GITHUB_ENV: one error line naming the variable, before any request", async () => {
    const run = await runAction(orgInputs({ "export-env": "true" }), { GITHUB_ENV: "" });
    expectFailure(
      run,
      /The environment variable GITHUB_ENV is not set; run this action as a step on a GitHub Actions runner\. \[INVALID_ARGUMENT\]$/,
      { clientSecret: f.org.clientSecret },
    );
    expect(f.server.count()).toBe(0);
  });

  test.each([
    ["GITHUB_OUTPUT names a folder", { GITHUB_OUTPUT: tmpdir() }, {}, "GITHUB_OUTPUT", "EISDIR"],
    [
      "GITHUB_ENV is in a folder that does not exist",
      {
        GITHUB_ENV: join(tmpdir(), "no-such-dir", "env"),
      },
      { "export-env": "true" },
      "GITHUB_ENV",
      "no such file",
    ],
  ])(
    "%s: one error line naming the variable, the path and what to check (not 'unexpected')",
    async (_, env, inputs, variable, code) => {
      const run = await runAction(orgInputs(inputs), env);
      expect(run.status).toBe(1);
      const errors = errorLines(run);
      expect(errors).toHaveLength(1);
      expect(errors[0]).toContain(`Cannot write the runner's file ${variable} (${Object.values(env)[0]}): ${code}`);
      expect(errors[0]).toMatch(/Check that the step runs on a GitHub Actions runner/);
      expect(maskingProblems(run, { clientSecret: f.org.clientSecret }, ["clientSecret"])).toEqual([]);
    },
  );

  test("a job summary that cannot be written is a warning; the step succeeds with its outputs", async () => {
    const summary = join(tmpdir(), "no-such-dir", "summary");
    const run = await runAction(orgInputs(), { GITHUB_STEP_SUMMARY: summary });
    expect(run.status).toBe(0);
    expect(errorLines(run)).toEqual([]);
    expect(run.stdout).toContain(`::warning::Cannot write the job summary (GITHUB_STEP_SUMMARY ${summary})`);
    expect(run.outputs.jwt).toEqual(expect.any(String));
  });
});

describe("an unexpected failure", () => {
  test("says to enable step debug, and the debug log has its name, message and stack with secrets redacted", async () => {
    // A runner whose file writes fail in a way no runner does: a plain Error (no errno code) that quotes the secret.
    const dir = mkdtempSync(join(tmpdir(), "itsyou-preload-"));
    const preload = join(dir, "preload.cjs");
    writeFileSync(
      preload,
      `const fs = require("node:fs");
fs.appendFileSync = () => { throw new Error("broken runner " + process.env["INPUT_CLIENT-SECRET"]); };`,
    );
    try {
      const run = await runAction(orgInputs(), { NODE_OPTIONS: `--require ${preload}` });
      expect(run.status).toBe(1);
      expect(errorLines(run)).toEqual([
        "::error::itsyou-token-action: unexpected Error; run with ACTIONS_STEP_DEBUG for details.",
      ]);
      const debug = run.stdout.split("\n").filter((line) => line.startsWith("::debug::"));
      expect(debug.some((line) => /::debug::Error: broken runner \*\*\*.*%0A\s*at /.test(line))).toBe(true);
      expect(maskingProblems(run, { clientSecret: f.org.clientSecret }, ["clientSecret"])).toEqual([]);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe("behind a proxy", () => {
  let dir: string;
  let proxy: Server;
  let tlsServer: Fixture;
  const tunnels: string[] = [];
  /** The inputs of a step against https://itsyou.test, which only the proxy can reach. */
  const proxiedInputs = (): Record<string, string> => ({
    "client-id": tlsServer.org.clientId,
    "client-secret": tlsServer.org.clientSecret,
    "base-url": "https://itsyou.test",
  });
  /** The Proxy-Authorization header of each CONNECT, decoded ("" when none). */
  const proxyAuthorizations: string[] = [];
  const open: Socket[] = [];

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), "itsyou-proxy-"));
    // A throwaway certificate for itsyou.test, trusted by the action through NODE_EXTRA_CA_CERTS.
    execFileSync("openssl", [
      "req",
      "-x509",
      "-newkey",
      "ec",
      "-pkeyopt",
      "ec_paramgen_curve:P-256",
      "-nodes",
      "-days",
      "1",
      "-subj",
      "/CN=itsyou.test",
      "-addext",
      "subjectAltName=DNS:itsyou.test",
      "-keyout",
      join(dir, "key.pem"),
      "-out",
      join(dir, "cert.pem"),
    ], { stdio: "ignore" });
    tlsServer = await startFixture({
      tls: { cert: readFileSync(join(dir, "cert.pem"), "utf8"), key: readFileSync(join(dir, "key.pem"), "utf8") },
    });
    // A CONNECT proxy on loopback: the only place where itsyou.test resolves (to the TLS server).
    proxy = createServer((_request, response) => response.writeHead(405).end());
    proxy.on("connect", (request, socket: Socket, head) => {
      tunnels.push(request.url ?? "");
      const authorization = request.headers["proxy-authorization"] ?? "";
      proxyAuthorizations.push(Buffer.from(authorization.replace(/^Basic /, ""), "base64").toString());
      open.push(socket);
      if (request.url !== "itsyou.test:443") return socket.end("HTTP/1.1 403 Forbidden\r\n\r\n");
      const upstream = connect(tlsServer.server.port, "127.0.0.1", () => {
        socket.write("HTTP/1.1 200 Connection Established\r\n\r\n");
        upstream.write(head);
        upstream.pipe(socket).pipe(upstream);
      });
      upstream.on("error", () => socket.destroy());
      socket.on("error", () => upstream.destroy());
    });
    await new Promise<void>((resolve) => proxy.listen(0, "127.0.0.1", resolve));
  });

  afterAll(async () => {
    // Tunnels are no longer HTTP connections (the action keeps them alive): close them by hand.
    for (const socket of open) socket.destroy();
    proxy.closeAllConnections();
    await new Promise((resolve) => proxy.close(resolve));
    await tlsServer.server.close();
    rmSync(dir, { recursive: true, force: true });
  });

  test("HTTPS_PROXY is honoured: the action reaches https://itsyou.test only through the proxy", async () => {
    const proxyUrl = `http://127.0.0.1:${(proxy.address() as AddressInfo).port}`;
    const inputs = proxiedInputs();
    const run = await runAction(inputs, { HTTPS_PROXY: proxyUrl, NODE_EXTRA_CA_CERTS: join(dir, "cert.pem") });
    expect(run.stdout).not.toMatch(/::error::/);
    expect(run.status).toBe(0);
    expect(decodeJwt(run.outputs.jwt).globalid).toBe("acme");
    expect(tunnels.length).toBeGreaterThanOrEqual(1);
    expect(new Set(tunnels)).toEqual(new Set(["itsyou.test:443"]));
    expect(tlsServer.server.count()).toBe(2);
  });

  test("a proxy that accepts the connection and never answers CONNECT: the step ends at the timeout", async () => {
    const silent = createServer();
    const held: Socket[] = [];
    silent.on("connect", (_request, socket: Socket) => void held.push(socket)); // holds every tunnel request open, forever
    await new Promise<void>((resolve) => silent.listen(0, "127.0.0.1", resolve));
    try {
      const inputs = {
        "client-id": tlsServer.org.clientId,
        "client-secret": tlsServer.org.clientSecret,
        "base-url": "https://itsyou.test",
        timeout: "0.5",
        retries: "1",
      };
      const run = await runAction(inputs, {
        HTTPS_PROXY: `http://127.0.0.1:${(silent.address() as AddressInfo).port}`,
        NODE_EXTRA_CA_CERTS: join(dir, "cert.pem"),
      });
      expectFailure(
        run,
        /did not answer \/v1\/oauth\/access_token within 500 ms.*gave up after 2 attempts.*\[TIMEOUT\]$/,
        { clientSecret: tlsServer.org.clientSecret },
      );
    } finally {
      for (const socket of held) socket.destroy();
      await new Promise((resolve) => silent.close(resolve));
    }
  });

  test("a scheme-less HTTPS_PROXY (host:port) is read as http://host:port, as curl reads it", async () => {
    const before = tunnels.length;
    const inputs = proxiedInputs();
    // A host name, not an address: `localhost:PORT` also parses as a URL whose scheme is "localhost:".
    const run = await runAction(inputs, {
      HTTPS_PROXY: `localhost:${(proxy.address() as AddressInfo).port}`,
      NODE_EXTRA_CA_CERTS: join(dir, "cert.pem"),
    });
    expect(run.stdout).not.toMatch(/::error::/);
    expect(run.status).toBe(0);
    expect(tunnels.length).toBeGreaterThan(before);
  });

  test.each([
    [
      "HTTPS_PROXY",
      "not a url",
      /The environment variable HTTPS_PROXY is not a proxy URL; set it to http:\/\/host:port/,
    ],
    [
      "https_proxy",
      "socks5://user:hunter2@127.0.0.1:1080",
      /The environment variable https_proxy names a socks5 proxy, which the action cannot use/,
    ],
    ["HTTP_PROXY", "http://proxy.example:8080/some/path?x=1", /The environment variable HTTP_PROXY is not a proxy URL/],
    ["HTTPS_PROXY", "http://[bad", /The environment variable HTTPS_PROXY is not a proxy URL/],
    [
      "HTTPS_PROXY",
      "http://deploy:100%pure@127.0.0.1:3128",
      // As the runner's command escaping writes it (%25 is a %; the log shows the message unescaped).
      /The environment variable HTTPS_PROXY has a user name or password with a %25 that does not start a percent-escape; write a literal %25 as %2525/,
    ],
    [
      "https_proxy",
      "http://[::1]:3128",
      /The environment variable https_proxy names its proxy by an IPv6 address, which the action's proxy support cannot connect to/,
    ],
  ])(
    "%s=%j ends the step with one error line naming the variable, not its value, before any request",
    async (name, value, message) => {
      const run = await runAction(orgInputs(), { [name]: value });
      expectFailure(run, new RegExp(`${message.source}.*\\[INVALID_ARGUMENT\\]$`), {
        clientSecret: f.org.clientSecret,
      });
      expect(run.stderr).toBe("");
      expect(`${run.stdout}${run.stderr}`).not.toContain(value);
      expect(f.server.count()).toBe(0);
    },
  );

  test("percent-encoded credentials reach the proxy decoded (user@corp, p%ss): the request goes through it", async () => {
    const port = (proxy.address() as AddressInfo).port;
    const before = tunnels.length;
    const inputs = proxiedInputs();
    const run = await runAction(inputs, {
      HTTPS_PROXY: `http://user%40corp:p%25ss@127.0.0.1:${port}`,
      NODE_EXTRA_CA_CERTS: join(dir, "cert.pem"),
    });
    expect(run.stdout).not.toMatch(/::error::/);
    expect(run.status).toBe(0);
    expect(tunnels.length).toBeGreaterThan(before);
    expect(new Set(proxyAuthorizations.slice(before))).toEqual(new Set(["user@corp:p%ss"]));
    expect(run.stderr).toBe(""); // no DEP0005 from the bundled tunnel agent's new Buffer()
  });

  test("a later step's itsyou-token goes through the proxy and trusts the CA that only the action's step had", async () => {
    const job = mkdtempSync(join(tmpdir(), "itsyou-job-"));
    try {
      const before = tunnels.length;
      const run = await runAction({ ...proxiedInputs(), refreshable: "true" }, {
        HTTPS_PROXY: `http://127.0.0.1:${(proxy.address() as AddressInfo).port}`,
        NODE_EXTRA_CA_CERTS: join(dir, "cert.pem"),
      }, job);
      expect(run.status).toBe(0);
      const env = { ...laterStepEnvironment(run, { PATH: process.env.PATH ?? "" }), ITSYOU_JWT: run.outputs.jwt };
      const step = await runLaterStep("itsyou-token --refresh", env);
      expect(step.stderr).toBe("");
      expect(step.status).toBe(0);
      expect(decodeJwt(step.stdout.trim()).globalid).toBe("acme");
      expect(tunnels.slice(before).filter((tunnel) => tunnel === "itsyou.test:443").length).toBeGreaterThan(1);
    } finally {
      rmSync(job, { recursive: true, force: true });
    }
  });

  test("a blank https_proxy next to a valid HTTPS_PROXY is read as unset, as @actions/http-client reads an empty one", async () => {
    const before = tunnels.length;
    const inputs = proxiedInputs();
    const run = await runAction(inputs, {
      https_proxy: "   ",
      HTTPS_PROXY: `http://127.0.0.1:${(proxy.address() as AddressInfo).port}`,
      NODE_EXTRA_CA_CERTS: join(dir, "cert.pem"),
    });
    expect(run.stdout).not.toMatch(/::error::/);
    expect(run.status).toBe(0);
    expect(tunnels.length).toBeGreaterThan(before);
  });

  test("NO_PROXY is honoured too: without the proxy, itsyou.test does not resolve", async () => {
    const proxyUrl = `http://127.0.0.1:${(proxy.address() as AddressInfo).port}`;
    const before = tunnels.length;
    const inputs = {
      "client-id": tlsServer.org.clientId,
      "client-secret": tlsServer.org.clientSecret,
      "base-url": "https://itsyou.test",
      retries: "0",
    };
    const run = await runAction(inputs, {
      HTTPS_PROXY: proxyUrl,
      NO_PROXY: "itsyou.test",
      NODE_EXTRA_CA_CERTS: join(dir, "cert.pem"),
    });
    expect(run.status).toBe(1);
    expect(errorLines(run)[0]).toMatch(/The host itsyou\.test does not exist.*\[NETWORK_ERROR\]$/);
    expect(tunnels.length).toBe(before);
  });
});
