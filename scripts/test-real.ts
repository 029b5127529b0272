/**
 * `npm run test:real`: the contract suite against the real ItsYou.online server
 * (itsyouonline/identityserver at 333d788), on Node 24 (vitest) and under Deno.
 *
 * It starts the server with harness/identityserver/start.sh and harness/real-seed.ts
 * (or uses a running one: ITSYOU_REAL_SERVER=path/to/server.json), trusts its
 * test CA the way users would (NODE_EXTRA_CA_CERTS, deno test --cert), runs the
 * suites, stops the server, and ends with "N passed, N failed". When no server
 * can be had it fails with a message that says what to do; it never skips.
 */
import { spawnSync } from "node:child_process";
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { SEED } from "../harness/real-seed.ts";
import { SERVER_ENV } from "../harness/real-server.ts";
import { junitReport, Steps, vitestReport, vitestReporters } from "./results.ts";

const root = fileURLToPath(new URL("..", import.meta.url));
const bin = (name: string): string => join(root, "node_modules/.bin", name);
const results = join(root, ".test-results/real");
rmSync(results, { recursive: true, force: true });
mkdirSync(results, { recursive: true });

function fail(message: string): never {
  console.error(`test:real: ${message}`);
  console.log("0 passed, 1 failed");
  process.exit(1);
}

let serverFile = process.env[SERVER_ENV];
let startedIn: string | undefined;
/** This repository's scripts that install, build, start and stop the real server. */
const shared = join(root, "harness/identityserver");
if (serverFile) {
  if (!existsSync(serverFile)) {
    fail(`${SERVER_ENV}=${serverFile}: no such file; point it at the server.json that start.sh wrote.`);
  }
} else {
  if (!existsSync(join(shared, "start.sh"))) {
    fail(
      `no real server: ${shared}/start.sh is missing. Set ${SERVER_ENV} to a running server's server.json.`,
    );
  }
  startedIn = mkdtempSync(join(tmpdir(), "itsyou-real-"));
  writeFileSync(join(startedIn, "seed.json"), JSON.stringify(SEED));
  console.log(`── starting the real server (${shared}/start.sh; the first build takes up to a minute)`);
  const start = spawnSync(join(shared, "start.sh"), [join(startedIn, "server"), join(startedIn, "seed.json")], {
    stdio: ["ignore", "ignore", "inherit"],
  });
  if (start.status !== 0) {
    fail(
      `the real server did not start (see above). It needs Go, go-bindata, python3-mockupdb, python3-mongomock and openssl: run ${shared}/install.sh as root, or set ${SERVER_ENV} to a running server's server.json.`,
    );
  }
  serverFile = join(startedIn, "server", "server.json");
}
const server = JSON.parse(readFileSync(serverFile, "utf8")) as { url: string; caFile: string };
console.log(`── the real server: ${server.url} (CA ${server.caFile})`);

const steps = new Steps();
const env = { ...process.env, [SERVER_ENV]: serverFile };
try {
  steps.run(
    "vitest (Node 24): the contract suite and the differential corpus",
    bin("vitest"),
    [
      "run",
      "test/real/",
      ...vitestReporters(`${results}/vitest.json`),
    ],
    { cwd: root, env: { ...env, NODE_EXTRA_CA_CERTS: server.caFile } },
    "vitest",
  );
  steps.run(
    "deno test (Deno): the contract suite",
    bin("deno"),
    [
      "test",
      "--allow-net",
      "--allow-read",
      "--allow-env",
      "--cert",
      server.caFile,
      `--junit-path=${results}/deno.xml`,
      "test/real/contract.deno.ts",
    ],
    { cwd: root, env },
    "deno test",
  );
} finally {
  if (startedIn) {
    spawnSync(join(shared, "stop.sh"), [join(startedIn, "server")], { stdio: "inherit" });
    rmSync(startedIn, { recursive: true, force: true });
  }
}
steps.finish([["vitest", vitestReport(`${results}/vitest.json`)], ["deno test", junitReport(`${results}/deno.xml`)]]);
