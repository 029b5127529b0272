/**
 * The first release, rehearsed on a real npm registry (Verdaccio on 127.0.0.1): the commands of
 * CONTRIBUTING.md's first publish, run as written (npm reads the registry and the token from the
 * environment), then the package installed into a fresh project as a user would, imported from ESM and
 * CommonJS, and its command run against the local server.
 */
import { afterAll, beforeAll, expect, test } from "vitest";
import { execFile, spawn } from "node:child_process";
import type { ChildProcess } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { createServer } from "node:net";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { buildPackage } from "../../scripts/build-package.ts";
import { useServerFixture } from "../support/expect.ts";

const root = fileURLToPath(new URL("../..", import.meta.url));
const OWNER_REPOSITORY = "itsyou-rehearsal/itsyou-token-action";
const f = useServerFixture();
let dir: string;
let registry: string;
let verdaccio: ChildProcess;
/** npm's settings for this registry, as environment variables (npm_config_*), with a token any Verdaccio accepts. */
let npmEnv: Record<string, string>;

/** Runs a shell command line (asynchronously: the local server answers from this process). */
function sh(line: string, cwd: string, env: Record<string, string> = {}): Promise<{ code: number; output: string }> {
  return new Promise((resolve) => {
    execFile("bash", ["-c", line], { cwd, env: { ...process.env, ...npmEnv, ...env }, timeout: 120_000 }, (
      error,
      stdout,
      stderr,
    ) => resolve({ code: error ? Number(error.code ?? 1) : 0, output: `${stdout}${stderr}` }));
  });
}

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), "itsyou-registry-"));
  const port = await new Promise<number>((resolve) => {
    const probe = createServer().listen(0, "127.0.0.1", () => {
      const { port } = probe.address() as AddressInfo;
      probe.close(() => resolve(port));
    });
  });
  writeFileSync(
    join(dir, "config.yaml"),
    [
      `storage: ${join(dir, "storage")}`,
      "auth:",
      `  htpasswd: { file: ${join(dir, "htpasswd")}, max_users: -1 }`,
      "uplinks: {}",
      "packages:",
      "  '**': { access: $all, publish: $all, unpublish: $all }",
      "log: { type: stdout, format: pretty, level: warn }",
      "",
    ].join("\n"),
  );
  registry = `http://127.0.0.1:${port}/`;
  writeFileSync(join(dir, "npmrc"), `//127.0.0.1:${port}/:_authToken=rehearsal\n`);
  npmEnv = {
    npm_config_registry: registry,
    npm_config_userconfig: join(dir, "npmrc"),
    npm_config_cache: join(dir, "cache"),
    npm_config_audit: "false",
    npm_config_fund: "false",
  };
  verdaccio = spawn(join(root, "node_modules/.bin/verdaccio"), [
    "--config",
    join(dir, "config.yaml"),
    "--listen",
    `127.0.0.1:${port}`,
  ], { stdio: "ignore" });
  for (let i = 0; i < 100; i++) {
    if (await fetch(`${registry}-/ping`).then((response) => response.ok, () => false)) return;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  throw new Error("Verdaccio did not start");
}, 60_000);

afterAll(() => {
  verdaccio?.kill();
  rmSync(dir, { recursive: true, force: true });
  // Leave .package as npm test's other suites expect it: built for a test repository.
  buildPackage({ GITHUB_REPOSITORY: "itsyou-tests/itsyou-token-action" });
});

/** The commands of CONTRIBUTING.md's first publish (its ```sh block after "First publish, by hand"). */
function firstPublishCommands(): string[] {
  const contributing = readFileSync(join(root, "CONTRIBUTING.md"), "utf8");
  const start = contributing.indexOf("```sh", contributing.indexOf("<!-- first publish -->"));
  const block = contributing.slice(start + "```sh".length, contributing.indexOf("```", start + 5));
  return block.split("\n").map((line) => line.replace(/\s+#.*$/, "").trim()).filter(Boolean);
}

test("CONTRIBUTING's first publish, run as written: a bootstrap version, published by hand without provenance, deprecated", async () => {
  const commands = firstPublishCommands();
  expect(commands).toEqual([
    "GITHUB_REPOSITORY=OWNER/itsyou-token-action npm run build:package",
    "npm pkg set version=0.0.0-bootstrap.0 --prefix .package",
    "npm login",
    "npm publish .package --access public --tag bootstrap",
    expect.stringMatching(/^npm deprecate @itsyou\/token@0\.0\.0-bootstrap\.0 "/),
  ]);
  for (const command of commands) {
    if (command === "npm login") continue; // the rehearsal's npmrc holds a token already
    const run = await sh(command.replace("OWNER/itsyou-token-action", OWNER_REPOSITORY), root);
    expect(run.code, `${command}\n${run.output}`).toBe(0);
  }
  const view = JSON.parse((await sh("npm view @itsyou/token --json", root)).output);
  expect(view.versions).toEqual(["0.0.0-bootstrap.0"]);
  expect(view.deprecated).toMatch(/bootstrap/);
  expect(view.repository.url).toBe(`git+https://github.com/${OWNER_REPOSITORY}.git`);
});

test("a package that forced provenance (as 1.0.0's build did) cannot be published by hand: npm refuses", async () => {
  const forced = join(dir, "forced");
  buildPackage({ GITHUB_REPOSITORY: OWNER_REPOSITORY }, forced);
  await sh(
    "npm pkg set version=0.0.0-forced.0 --prefix . && npm pkg set publishConfig.provenance=true --json --prefix .",
    forced,
  );
  const run = await sh("npm publish . --access public --tag forced", forced);
  expect(run.code).not.toBe(0);
  expect(run.output).toMatch(/provenance/i);
});

test(
  "the release's package, then installed as a user would: ESM and CommonJS imports, npx itsyou-token --help and a JWT",
  async () => {
    const version = JSON.parse(readFileSync(join(root, "package.json"), "utf8")).version as string;
    buildPackage({ GITHUB_REPOSITORY: OWNER_REPOSITORY });
    // What the workflow publishes, less --provenance (which only a GitHub runner's OIDC token can sign).
    expect((await sh("npm publish .package --access public", root)).code).toBe(0);
    const project = join(dir, "project");
    expect((await sh(`mkdir -p "${project}"`, dir)).code).toBe(0);
    const install = await sh("npm init -y >/dev/null && npm install @itsyou/token", project);
    expect(install.code, install.output).toBe(0);
    const installed = JSON.parse(readFileSync(join(project, "node_modules/@itsyou/token/package.json"), "utf8"));
    expect(installed.version).toBe(version);
    const esm = await sh(
      `node --input-type=module -e 'import { getJwt, ITSYOU_ONLINE_URL } from "@itsyou/token"; console.log(typeof getJwt, ITSYOU_ONLINE_URL)'`,
      project,
    );
    expect(esm.output.trim()).toBe("function https://itsyou.online");
    const cjs = await sh(`node -e 'console.log(typeof require("@itsyou/token").verifyJwt)'`, project);
    expect(cjs.output.trim()).toBe("function");
    const help = await sh("npx itsyou-token --help", project);
    expect(help.code).toBe(0);
    expect(help.output).toMatch(/^Usage: /);
    const jwt = await sh(`npx itsyou-token --base-url "${f.at.baseUrl}"`, project, {
      ITSYOU_CLIENT_ID: f.org.clientId,
      ITSYOU_CLIENT_SECRET: f.org.clientSecret,
    });
    expect(jwt.code, jwt.output).toBe(0);
    expect(jwt.output.trim()).toMatch(/^eyJ[\w-]+\.eyJ[\w-]+\.[\w-]+$/);
  },
  120_000,
);
