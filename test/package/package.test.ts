/**
 * The npm package as users get it: `npm run build:package`, `npm pack`, installed
 * from the tarball into a scratch project, then the shared core suite from there
 * on the machine's Node (20 here), on Node 24 and on Bun, against the local
 * server; CommonJS consumers, TypeScript consumers, publint and attw.
 */
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { execFileSync, spawn, spawnSync } from "node:child_process";
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { delimiter, join } from "node:path";
import { fileURLToPath } from "node:url";
import { build } from "esbuild";
import { buildPackage, ENGINES, PACKAGE_DIR } from "../../scripts/build-package.ts";
import { CORE_CASES } from "../support/core-suite.ts";
import { coreSetting } from "../support/fixture.ts";
import { useServerFixture } from "../support/expect.ts";

const root = fileURLToPath(new URL("../..", import.meta.url));
const bin = (name: string): string => join(root, "node_modules/.bin", name);

/** The machine's own Node: the first `node` on PATH outside node_modules (Node 20 on these machines). */
function machineNode(): string {
  for (const dir of (process.env.PATH ?? "").split(delimiter)) {
    if (dir.includes("node_modules")) continue;
    if (existsSync(join(dir, "node"))) return join(dir, "node");
  }
  throw new Error("no node on PATH outside node_modules");
}

const RUNTIMES: [string, string][] = [
  ["machine Node", machineNode()],
  ["Node 24", bin("node")],
  ["Bun", bin("bun")],
];
const version = (runtime: string): string => execFileSync(runtime, ["--version"], { encoding: "utf8" }).trim();

/** A child process that talks to the server in this process: asynchronous, so the server can answer it. */
function child(
  command: string,
  args: string[],
  options: { cwd?: string; env?: NodeJS.ProcessEnv } = {},
): Promise<{ status: number | null; stdout: string; stderr: string }> {
  const process = spawn(command, args, options);
  let stdout = "";
  let stderr = "";
  process.stdout.on("data", (chunk) => (stdout += chunk));
  process.stderr.on("data", (chunk) => (stderr += chunk));
  return new Promise((resolve) => process.on("close", (status) => resolve({ status, stdout, stderr })));
}

const TEST_REPOSITORY = "itsyou-tests/itsyou-token-action";
const f = useServerFixture();
let scratch: string;
let tarball: string;
const results = new Map<string, { name: string; error?: string }[]>();

beforeAll(async () => {
  scratch = mkdtempSync(join(tmpdir(), "itsyou-package-"));
  // The repository a test build names (a published build names the one it runs in, GITHUB_REPOSITORY).
  const packageDir = buildPackage({ ...process.env, GITHUB_REPOSITORY: TEST_REPOSITORY });
  execFileSync("npm", ["pack", packageDir, "--pack-destination", scratch, "--silent"], { cwd: root });
  tarball = join(scratch, readdirSync(scratch).find((name) => name.endsWith(".tgz"))!);
  writeFileSync(join(scratch, "package.json"), JSON.stringify({ name: "scratch", private: true, type: "module" }));
  execFileSync("npm", ["install", "--offline", "--no-audit", "--no-fund", "--silent", tarball], { cwd: scratch });
  await build({
    entryPoints: [join(root, "test/package/entry.ts")],
    bundle: true,
    format: "esm",
    platform: "node",
    target: "node20",
    external: ["@itsyou/token"],
    outfile: join(scratch, "entry.mjs"),
  });
  const setting = JSON.stringify(await coreSetting(f));
  for (const [name, runtime] of RUNTIMES) {
    const run = await child(runtime, [join(scratch, "entry.mjs"), setting], { cwd: scratch });
    if (run.status !== 0) throw new Error(`${name}: ${run.stderr}`);
    results.set(name, JSON.parse(run.stdout));
  }
}, 120_000);

afterAll(() => rmSync(scratch, { recursive: true, force: true }));

describe.each(RUNTIMES)("%s", (name, runtime) => {
  test("runs every case from the installed package", () => {
    expect(results.get(name)?.map((result) => result.name)).toEqual(CORE_CASES.map((c) => c.name));
    expect(version(runtime)).toMatch(/^v?\d+\./);
  });
  test.each(CORE_CASES.map((c) => c.name))("%s", (caseName) => {
    expect(results.get(name)?.find((result) => result.name === caseName)?.error).toBeUndefined();
  });
});

describe("what the tarball holds and who can load it", () => {
  test("its version is the repository's (package.json)", () => {
    const manifest = JSON.parse(execFileSync("tar", ["-xzOf", tarball, "package/package.json"], { encoding: "utf8" }));
    expect(manifest).toMatchObject({
      name: "@itsyou/token",
      version: JSON.parse(readFileSync(join(root, "package.json"), "utf8")).version,
    });
  });

  test("only the built files: JavaScript, declarations, README, LICENSE and package.json", () => {
    const listing = execFileSync("tar", ["-tzf", tarball], { encoding: "utf8" }).trim().split("\n").sort();
    expect(listing).toEqual(
      ["LICENSE", "README.md", "cli.d.ts", "cli.js", "mod.d.ts", "mod.js", "package.json"].map((file) =>
        `package/${file}`
      ),
    );
  });

  test("CommonJS: require() works through require(esm) on Node 24 and on Node 20.19 or later", () => {
    const script = 'const { getJwt } = require("@itsyou/token"); console.log(typeof getJwt);';
    expect(execFileSync(bin("node"), ["-e", script], { cwd: scratch, encoding: "utf8" }).trim()).toBe("function");
    const [major, minor] = (/^v(\d+)\.(\d+)/.exec(version(machineNode())) ?? []).slice(1).map(Number);
    const old = spawnSync(machineNode(), ["-e", script], { cwd: scratch, encoding: "utf8" });
    if (major > 20 || minor >= 19) expect(old.stdout.trim()).toBe("function");
    else expect(old.stderr).toMatch(/ERR_REQUIRE_ESM/);
  });

  test("the bin runs the CLI on the machine's Node: --help, and a JWT from the local server", async () => {
    const cli = join(scratch, "node_modules/@itsyou/token/cli.js");
    expect((await child(machineNode(), [cli, "--help"])).stdout).toMatch(/itsyou-token \[flags\]/);
    const env = {
      PATH: process.env.PATH ?? "",
      ITSYOU_CLIENT_ID: f.org.clientId,
      ITSYOU_CLIENT_SECRET: f.org.clientSecret,
      ITSYOU_BASE_URL: f.at.baseUrl,
    };
    const run = await child(machineNode(), [cli, "--audience", "deploy"], { env });
    expect(run.stderr).toBe("");
    expect(run.stdout.trim().split(".")).toHaveLength(3);
    expect(f.server.count()).toBe(1);
  });

  test("the bin derives a JWT from ITSYOU_JWT (--derive) on the machine's Node", async () => {
    const cli = join(scratch, "node_modules/@itsyou/token/cli.js");
    const { getAccessToken, getJwt, decodeJwt } = await import("../../mod.ts");
    const parent = await getJwt(await getAccessToken({ ...f.user, ...f.at }), {
      ...f.at,
      scope: "user:name",
      refreshable: true,
      validity: 600,
    });
    const env = { PATH: process.env.PATH ?? "", ITSYOU_JWT: parent, ITSYOU_BASE_URL: f.at.baseUrl };
    const run = await child(machineNode(), [cli, "--derive", "--audience", "billing", "--scope", "user:name"], { env });
    expect(run.stderr).toBe("");
    expect(decodeJwt(run.stdout.trim())).toMatchObject({ username: "alice", aud: ["billing"] });
  });

  test("the bin renews the refreshable JWT in ITSYOU_JWT (--refresh) on the machine's Node", async () => {
    const cli = join(scratch, "node_modules/@itsyou/token/cli.js");
    const { getJwt, decodeJwt } = await import("../../mod.ts");
    const jwt = await getJwt(f.org, { ...f.at, refreshable: true, validity: 60 });
    const env = { PATH: process.env.PATH ?? "", ITSYOU_JWT: jwt, ITSYOU_BASE_URL: f.at.baseUrl };
    f.server.reset();
    const run = await child(machineNode(), [cli, "--refresh", "--validity", "600"], { env });
    expect(run.stderr).toBe("");
    expect(f.server.requests.map((request) => request.path)).toEqual(["/v1/oauth/jwt/refresh"]);
    expect(decodeJwt(run.stdout.trim())).toMatchObject({ refresh_token: decodeJwt(jwt).refresh_token });
  });

  test("TypeScript consumers type-check against the declarations (nodenext and bundler resolution)", () => {
    writeFileSync(
      join(scratch, "consumer.ts"),
      [
        'import { getJwt, ItsYouOnlineError, type JwtClaims, type TokenSource } from "@itsyou/token";',
        'export async function claims(): Promise<string> { return getJwt({ clientId: "a", clientSecret: "b" }, { audience: "x" }); }',
        'export const isError = (error: unknown): boolean => error instanceof ItsYouOnlineError && error.code === "TLS_ERROR";',
        "export type Both = [JwtClaims, TokenSource];",
      ].join("\n"),
    );
    for (
      const resolution of [["--module", "nodenext", "--moduleResolution", "nodenext"], [
        "--module",
        "esnext",
        "--moduleResolution",
        "bundler",
      ]]
    ) {
      const run = spawnSync(bin("tsc"), [
        "--ignoreConfig",
        "--noEmit",
        "--strict",
        "--lib",
        "es2022,dom",
        ...resolution,
        "consumer.ts",
      ], { cwd: scratch, encoding: "utf8" });
      expect(run.stdout + run.stderr).toBe("");
    }
  });

  test("verifyJwt's key type works in Node projects without the DOM library and with it: a CryptoKey is accepted, a number refused", () => {
    const types = join(scratch, "key-types");
    mkdirSync(types, { recursive: true });
    writeFileSync(join(types, "package.json"), JSON.stringify({ type: "module" }));
    writeFileSync(
      join(types, "consumer.ts"),
      [
        'import { verifyJwt } from "@itsyou/token";',
        'const key = await crypto.subtle.importKey("raw", new Uint8Array(97), { name: "ECDSA", namedCurve: "P-384" }, false, ["verify"]);',
        'export const accepted = verifyJwt("x", { publicKey: key });',
        "// @ts-expect-error a number is not a key",
        'export const refused = verifyJwt("x", { publicKey: 5 });',
      ].join("\n"),
    );
    for (const lib of [["es2024"], ["es2024", "dom"]]) {
      // A Node project's tsconfig.json, with the DOM library and without it.
      const compilerOptions = {
        noEmit: true,
        strict: true,
        target: "es2022",
        module: "nodenext",
        lib,
        types: ["node"],
        typeRoots: [join(root, "node_modules/@types")],
      };
      writeFileSync(join(types, "tsconfig.json"), JSON.stringify({ compilerOptions, files: ["consumer.ts"] }));
      const run = spawnSync(bin("tsc"), ["--project", types], { cwd: types, encoding: "utf8" });
      expect(run.stdout + run.stderr, lib.join()).toBe("");
    }
  });

  test("its README is the library's own page, whose links all resolve where npm shows it (absolute)", () => {
    const readme = readFileSync(join(PACKAGE_DIR, "README.md"), "utf8");
    expect(readme).toBe(readFileSync(join(root, "docs/npm-package.md"), "utf8"));
    expect(readme).toMatch(/^# @itsyou\/token\n/);
    const links = [...readme.matchAll(/\]\(([^)]+)\)|(https?:\/\/\S+)/g)].map((match) => match[1] ?? match[2]);
    expect(links.length).toBeGreaterThan(3);
    for (const link of links) expect(link, link).toMatch(/^https:\/\//);
  });

  test("package.json is as npm writes it: npm pkg fix changes nothing (a bin of ./cli.js would be 'invalid and removed')", () => {
    const dir = mkdtempSync(join(tmpdir(), "itsyou-pkg-fix-"));
    try {
      const manifest = readFileSync(join(PACKAGE_DIR, "package.json"), "utf8");
      writeFileSync(join(dir, "package.json"), manifest);
      execFileSync("npm", ["pkg", "fix"], { cwd: dir, stdio: "ignore" });
      expect(JSON.parse(readFileSync(join(dir, "package.json"), "utf8"))).toEqual(JSON.parse(manifest));
      expect(JSON.parse(manifest).bin).toEqual({ "itsyou-token": "cli.js" });
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  test("it is published public (provenance is the workflow's, never forced), and its engines hold both Node versions tested here", () => {
    const manifest = JSON.parse(readFileSync(join(PACKAGE_DIR, "package.json"), "utf8"));
    expect(manifest.publishConfig).toEqual({ access: "public" });
    expect(manifest.engines).toEqual({ node: ENGINES });
    expect(ENGINES).toBe("^20.19.0 || >=22.12.0");
    // The range by hand: 20.19 and later in 20, or 22.12 and later.
    const satisfies = (v: string): boolean => {
      const [major, minor] = v.replace(/^v/, "").split(".").map(Number);
      return (major === 20 && minor >= 19) || (major === 22 && minor >= 12) || major > 22;
    };
    for (const runtime of [machineNode(), bin("node")]) {
      expect(satisfies(version(runtime)), version(runtime)).toBe(true);
    }
    expect(satisfies("v20.18.0")).toBe(false);
    expect(satisfies("v22.11.0")).toBe(false);
  });

  test("publint finds nothing", () => {
    expect(execFileSync(bin("publint"), [join(root, ".package")], { encoding: "utf8" })).toMatch(/All good!/);
  });

  test("@arethetypeswrong/cli finds nothing for an ESM-only package, and does flag it under its strict profile", () => {
    expect(spawnSync(bin("attw"), [tarball, "--profile", "esm-only"], { encoding: "utf8" }).status).toBe(0);
    // The strict profile wants CommonJS resolution too: ESM only is this package's documented choice.
    expect(spawnSync(bin("attw"), [tarball], { encoding: "utf8" }).stdout).toMatch(/CJSResolvesToESM/);
  });
});

describe("the repository it names", () => {
  test(
    "npm run build:package names the repository in GITHUB_REPOSITORY; without it, it fails with one line and writes no package",
    () => {
      const build = (env: Record<string, string>): { status: number | null; stderr: string } => {
        const run = spawnSync("npm", ["run", "build:package", "--silent"], {
          cwd: root,
          env: { PATH: process.env.PATH ?? "", ...env },
          encoding: "utf8",
        });
        return { status: run.status, stderr: run.stderr };
      };
      const manifest = (): Record<string, unknown> =>
        JSON.parse(readFileSync(join(PACKAGE_DIR, "package.json"), "utf8"));
      try {
        expect(build({ GITHUB_REPOSITORY: "someone/else", GITHUB_SERVER_URL: "https://github.com" }).status).toBe(0);
        expect(manifest()).toMatchObject({
          repository: { type: "git", url: "git+https://github.com/someone/else.git" },
          homepage: "https://github.com/someone/else#readme",
          bugs: { url: "https://github.com/someone/else/issues" },
        });
        const without = build({});
        expect(without.status).toBe(1);
        expect(without.stderr.trim().split("\n")).toEqual([
          expect.stringMatching(/^build:package: GITHUB_REPOSITORY must name the repository the package comes from/),
        ]);
        // The earlier build is still there, untouched: nothing was written.
        expect(manifest()).toMatchObject({ homepage: "https://github.com/someone/else#readme" });
      } finally {
        buildPackage({ GITHUB_REPOSITORY: TEST_REPOSITORY });
      }
    },
    60_000,
  );
});
