/**
 * The job after the action: dist/index.js runs as the runner runs it, then later steps of the same job run
 * `itsyou-token` from the PATH the runner's files set up, with only what those steps would have.
 */
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { decodeJwt, verifyJwt } from "../../mod.ts";
import { startFixture } from "../support/fixture.ts";
import type { Fixture } from "../support/fixture.ts";
import { laterStepEnvironment, maskingProblems, runAction, runLaterStep } from "../support/action.ts";
import type { ActionRun } from "../support/action.ts";
import { makeCertificates } from "../../harness/tls.ts";
import type { Certificates } from "../../harness/tls.ts";
import { useServerFixture } from "../support/expect.ts";

/** What every step of a job has from the runner, whatever the steps before it did. */
const runnerBase = (): Record<string, string> => ({ PATH: process.env.PATH ?? "", HOME: process.env.HOME ?? "" });

describe("itsyou-token for later steps, against a self-hosted server on a private CA", () => {
  let certificates: Certificates;
  let server: Fixture;
  let job: string;

  beforeAll(async () => {
    certificates = makeCertificates();
    server = await startFixture({ tls: { cert: certificates.cert, key: certificates.key } });
  });
  afterAll(async () => {
    await server.server.close();
    rmSync(certificates.dir, { recursive: true, force: true });
  });

  /** The action's step: the CA only in its own env:, a refreshable JWT. */
  async function actionStep(extra: Record<string, string> = {}): Promise<ActionRun> {
    job = mkdtempSync(join(tmpdir(), "itsyou-job-"));
    const run = await runAction(
      {
        "client-id": server.org.clientId,
        "client-secret": server.org.clientSecret,
        "base-url": server.at.baseUrl,
        refreshable: "true",
        validity: "600",
        ...extra,
      },
      { NODE_EXTRA_CA_CERTS: certificates.caFile },
      job,
    );
    expect(run.stdout).not.toMatch(/::error::/);
    expect(run.status).toBe(0);
    return run;
  }

  test("itsyou-token --refresh in a later step renews ITSYOU_JWT at the action's server, through its CA", async () => {
    try {
      const run = await actionStep();
      expect(run.path).toHaveLength(1);
      expect(run.env).toEqual({}); // nothing exported without export-env
      const env: Record<string, string> = { ...laterStepEnvironment(run, runnerBase()), ITSYOU_JWT: run.outputs.jwt };
      expect(Object.keys(env).sort()).toEqual(["HOME", "ITSYOU_JWT", "PATH"]); // no CA, no base URL of its own
      server.server.reset();
      const step = await runLaterStep("itsyou-token --refresh --validity 300", env);
      expect(step.stderr).toBe("");
      expect(step.status).toBe(0);
      const renewed = step.stdout.trim();
      expect(renewed).not.toBe(run.outputs.jwt);
      const claims = await verifyJwt(renewed, { publicKey: server.server.publicKey });
      expect(claims.globalid).toBe(server.org.clientId);
      expect(typeof claims.refresh_token).toBe("string");
      expect(server.server.count("/v1/oauth/jwt/refresh")).toBe(1);
      expect(server.server.count()).toBe(1);
      // The summary tells the user the command is there.
      expect(run.summary).toContain("itsyou-token --refresh (on PATH) renews ITSYOU_JWT at 127.0.0.1:");
    } finally {
      rmSync(job, { recursive: true, force: true });
    }
  });

  test("in the middle of one long script, a new JWT and a refresh reach the same server too", async () => {
    try {
      const run = await actionStep({ "export-env": "true" });
      // export-env hands the tokens on, with the server they belong to.
      expect(Object.keys(run.env).sort()).toEqual(["ITSYOU_ACCESS_TOKEN", "ITSYOU_BASE_URL", "ITSYOU_JWT"]);
      expect(run.env.ITSYOU_BASE_URL).toBe(`${server.at.baseUrl}/`);
      const env = {
        ...laterStepEnvironment(run, runnerBase()),
        ITSYOU_CLIENT_ID: server.org.clientId,
        ITSYOU_CLIENT_SECRET: server.org.clientSecret,
      };
      server.server.reset();
      const step = await runLaterStep(
        [
          "first=$(itsyou-token --audience next-api)",
          'echo "::add-mask::$first"',
          "renewed=$(itsyou-token --refresh --json | grep -c '\"jwt\"')",
          'echo "first=${#first} renewed=$renewed"',
        ].join("\n"),
        env,
      );
      expect(step.stderr).toBe("");
      expect(step.status).toBe(0);
      expect(step.stdout).toMatch(/first=\d{3,} renewed=1\n$/);
      expect(server.server.count("/v1/oauth/access_token")).toBe(1);
      expect(server.server.count("/v1/oauth/jwt/refresh")).toBe(1);
    } finally {
      rmSync(job, { recursive: true, force: true });
    }
  });

  test("a later step's own ITSYOU_BASE_URL wins over the action's", async () => {
    try {
      const run = await actionStep();
      const env = {
        ...laterStepEnvironment(run, runnerBase()),
        ITSYOU_JWT: run.outputs.jwt,
        ITSYOU_BASE_URL: "https://127.0.0.1:9",
      };
      const step = await runLaterStep("itsyou-token --refresh", env);
      expect(step.status).toBe(1);
      expect(step.stderr).toMatch(
        /^itsyou: NETWORK_ERROR: Could not reach ItsYou\.online at https:\/\/127\.0\.0\.1:9 /,
      );
      expect(step.stderr).not.toContain(run.outputs.jwt);
    } finally {
      rmSync(job, { recursive: true, force: true });
    }
  });

  test("the launcher is this commit's dist/index.js on the action's Node, readable by the runner's user only", async () => {
    try {
      const run = await actionStep();
      const launcher = join(run.path[0], "itsyou-token");
      const text = readFileSync(launcher, "utf8");
      expect(text).toContain(`${join(process.cwd(), "dist", "index.js")}' --itsyou-token "$@"`);
      expect(text).not.toContain(server.org.clientSecret);
      expect(text).not.toContain(run.outputs.jwt);
      expect(spawnSync("sh", ["-c", `stat -c %a '${launcher}'`], { encoding: "utf8" }).stdout.trim()).toBe("700");
      expect(decodeJwt(run.outputs.jwt).refresh_token).toBeTypeOf("string");
    } finally {
      rmSync(job, { recursive: true, force: true });
    }
  });
});

describe("a step that fails stops where it fails", () => {
  const f = useServerFixture();

  test("a wrong secret: one request each, the slower one cancelled, none after the failure, debug lines first", async () => {
    // The JWT request is slow, so it is still under way when the token request is refused.
    f.server.inject({
      path: "/v1/oauth/access_token",
      body: /response_type=id_token/,
      fault: { type: "delay-headers", ms: 500 },
    });
    const run = await runAction(
      { "client-id": f.org.clientId, "client-secret": "wrong-secret-value-123", "base-url": f.at.baseUrl },
      { RUNNER_DEBUG: "1" },
    );
    expect(run.status).toBe(1);
    const lines = run.stdout.split("\n");
    const error = lines.findIndex((line) => line.startsWith("::error::"));
    expect(lines[error]).toMatch(/HTTP 400 Bad Request from \/v1\/oauth\/access_token\..*\[HTTP_ERROR\]$/);
    const debug = lines.flatMap((line, index) => (line.startsWith("::debug::") ? [index] : []));
    expect(debug.length).toBe(2);
    expect(lines.filter((line) => line.startsWith("::debug::")).sort()).toEqual([
      "::debug::POST /v1/oauth/access_token → HTTP 400",
      "::debug::POST /v1/oauth/access_token → aborted",
    ]);
    expect(Math.max(...debug)).toBeLessThan(error);
    expect(lines.slice(error + 1).filter((line) => line !== "")).toEqual([]);
    // Wait past the delayed answer and any retry's backoff: nothing more arrives.
    await new Promise((resolve) => setTimeout(resolve, 800));
    expect(f.server.count("/v1/oauth/access_token")).toBe(2);
    expect(maskingProblems(run, { clientSecret: "wrong-secret-value-123" }, ["clientSecret"])).toEqual([]);
  });

  test("a base URL that already ends in /v1: the 404 names the path that was requested, in the action's words", async () => {
    const run = await runAction({
      "client-id": f.org.clientId,
      "client-secret": f.org.clientSecret,
      "base-url": `${f.at.baseUrl}/v1`,
    });
    expect(run.status).toBe(1);
    const error = run.stdout.split("\n").find((line) => line.startsWith("::error::"));
    expect(error).toMatch(/HTTP 404 Not Found from \/v1\/v1\/oauth\/access_token\. Check that base-url is the root/);
    expect(error).not.toMatch(/baseUrl/);
  });
});
