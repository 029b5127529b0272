/**
 * How long a cold start takes: the action (`dist/index.js`) on Node 24 against its floors, over HTTP and HTTPS;
 * how soon after its start it opens its first connection; and a Deno script that imports mod.ts and gets a JWT,
 * against Deno doing nothing. The local server runs in its own process, as a real server would.
 */
import { execFileSync, spawn } from "node:child_process";
import { existsSync, mkdirSync, readFileSync, statSync, writeFileSync } from "node:fs";
import { createServer as createTcpServer } from "node:net";
import { join } from "node:path";
import { runnerEnvironment } from "../harness/runner.ts";
import type { Certificates } from "../harness/tls.ts";
import { check, DENO, median, NODE, root, round, RUNS, timeInterleaved, timeProcess, tmp } from "./measure.ts";
import type { Part, Program } from "./measure.ts";

interface ServerProcess {
  url: string;
  org: { clientId: string; clientSecret: string };
  stop(): void;
}

/** The local server in a process of its own, over HTTP, or HTTPS with `tlsArgs`; its URL and organization key. */
async function startServerProcess(id: string, tlsArgs: string[] = []): Promise<ServerProcess> {
  const file = join(tmp, `${id}.json`);
  const child = spawn(NODE, [join(root, "server/main.ts"), "--write", file, ...tlsArgs], { stdio: "ignore" });
  for (let i = 0; i < 100 && !existsSync(file); i++) await new Promise((resolve) => setTimeout(resolve, 50));
  await new Promise((resolve) => setTimeout(resolve, 50));
  return { ...JSON.parse(readFileSync(file, "utf8")), stop: () => void child.kill() };
}

/** dist/index.js as a step against `target`: its runner folder and environment, checked and reset after each run. */
function actionAgainst(
  id: string,
  target: ServerProcess,
  extra: Record<string, string> = {},
): Program & { env: NodeJS.ProcessEnv } {
  const dir = join(tmp, id);
  mkdirSync(dir);
  const env: Record<string, string> = {
    ...runnerEnvironment({
      "client-id": target.org.clientId,
      "client-secret": target.org.clientSecret,
      "base-url": target.url,
    }, dir),
    ...extra,
  };
  const reset = (): void => {
    for (const file of [env.GITHUB_OUTPUT, env.GITHUB_ENV, env.GITHUB_PATH, env.GITHUB_STEP_SUMMARY]) {
      writeFileSync(file, "");
    }
  };
  reset();
  const verify = (): void => {
    const outputs = readFileSync(env.GITHUB_OUTPUT, "utf8");
    if (!/^jwt<</m.test(outputs) || !/^access-token<</m.test(outputs)) {
      throw new Error(`${id}: the action wrote no access-token or jwt output`);
    }
    reset();
  };
  return { command: NODE, args: [join(root, "dist/index.js")], env, verify };
}

/**
 * How long after its start a process opens its first connection, to a TCP server that only notes the time
 * (`PORT` in `args` is its port); the median of RUNS runs after a warm-up.
 */
async function firstConnectionMs(args: string[], env: NodeJS.ProcessEnv): Promise<number> {
  let started = 0;
  let first = 0;
  const listener = createTcpServer((socket) => {
    if (!first) first = performance.now() - started;
    socket.destroy();
  });
  await new Promise<void>((resolve) => listener.listen(0, "127.0.0.1", resolve));
  const port = (listener.address() as { port: number }).port;
  const program: Program = {
    command: NODE,
    args: args.map((arg) => arg.replace("PORT", String(port))),
    // The action fails once its connection is dropped; the exit status says nothing here.
    env: { ...env, "INPUT_BASE-URL": `http://127.0.0.1:${port}`, INPUT_RETRIES: "0" },
  };
  const times: number[] = [];
  for (let run = -1; run < RUNS; run++) {
    first = 0;
    started = performance.now();
    await timeProcess(program).catch(() => undefined);
    if (run >= 0) times.push(first);
  }
  listener.close();
  return round(median(times), 1);
}

function buildFloor(fixture: string): string {
  const out = join(tmp, fixture);
  execFileSync(join(root, "node_modules/.bin/ncc"), [
    "build",
    join(root, `bench/fixture/${fixture}.ts`),
    "-o",
    out,
    "--quiet",
  ]);
  return join(out, "index.js");
}

export async function measureColdStart(certificates: Certificates) {
  console.log("Building the floor fixtures (ncc)…");
  const floor = buildFloor("floor");
  const floorHttps = buildFloor("floor-https");
  const server = await startServerProcess("server");
  const httpsServer = await startServerProcess("https-server", [
    "--cert",
    join(certificates.dir, "cert.pem"),
    "--key",
    join(certificates.dir, "key.pem"),
  ]);
  try {
    const http = actionAgainst("runner", server);
    const nodeVersion = execFileSync(NODE, ["--version"], { encoding: "utf8" }).trim();
    console.log(`Cold start on Node ${nodeVersion}, ${RUNS} interleaved runs each…`);
    const cold = await timeInterleaved({
      F0: { command: NODE, args: ["-e", ""] },
      F1: { command: NODE, args: [floor], env: http.env },
      A: http,
    });

    // The same over HTTPS, against F2: the floor plus one HTTPS request with Node's own https module.
    const https = actionAgainst("https-runner", httpsServer, {
      NODE_EXTRA_CA_CERTS: certificates.caFile,
      ITSYOU_FLOOR_URL: httpsServer.url,
    });
    console.log(`Cold start over HTTPS, ${RUNS} interleaved runs each…`);
    const coldHttps = await timeInterleaved({
      F1: { command: NODE, args: [floor], env: https.env },
      F2: { command: NODE, args: [floorHttps], env: https.env },
      A: https,
    });

    const firstConnection = {
      "F0 node connecting at once": await firstConnectionMs([
        "-e",
        "require('node:net').connect(PORT, '127.0.0.1').on('connect', function () { this.destroy(); }).on('error', () => {})",
      ], http.env),
      "A dist/index.js": await firstConnectionMs([join(root, "dist/index.js")], http.env),
    };

    const denoVersion = execFileSync(DENO, ["--version"], { encoding: "utf8" }).split("\n")[0];
    console.log(`Deno (${denoVersion}), ${RUNS} interleaved runs each…`);
    const denoEnv = { ...process.env, ITSYOU_CLIENT_SECRET: server.org.clientSecret, NO_COLOR: "1" };
    const denoTimes = await timeInterleaved({
      eval: { command: DENO, args: ["eval", ""], env: denoEnv },
      jwt: {
        command: DENO,
        args: [
          "run",
          "--allow-net=127.0.0.1",
          "--allow-env",
          "--allow-read",
          "bench/fixture/peer-library.mjs",
          join(root, "mod.ts"),
          server.url,
          server.org.clientId,
          "jwt",
        ],
        env: denoEnv,
      },
    });

    const coldStart = {
      runtime: `node ${nodeVersion}`,
      medianMs: cold,
      ratios: { "A/F0": round(cold.A / cold.F0), "F1/F0": round(cold.F1 / cold.F0), "A/F1": round(cold.A / cold.F1) },
      distBytes: statSync(join(root, "dist/index.js")).size,
      floorBytes: statSync(floor).size,
      budget: "A/F1 <= 1.10",
      status: "",
    };
    coldStart.status = check(coldStart.ratios["A/F1"] <= 1.1, `cold start A/F1 ${coldStart.ratios["A/F1"]} > 1.10`);
    const coldStartHttps = {
      medianMs: coldHttps,
      ratios: { "F2/F1": round(coldHttps.F2 / coldHttps.F1), "A/F2": round(coldHttps.A / coldHttps.F2) },
      oursMs: round(coldHttps.A - coldHttps.F2, 1),
      budget: "A/F2 <= 1.10",
      status: "",
    };
    coldStartHttps.status = check(
      coldStartHttps.ratios["A/F2"] <= 1.1,
      `cold start over HTTPS A/F2 ${coldStartHttps.ratios["A/F2"]} > 1.10`,
    );
    const deno = {
      runtime: denoVersion,
      medianMs: { "deno eval ''": denoTimes.eval, "deno run jwt": denoTimes.jwt },
      ratio: round(denoTimes.jwt / denoTimes.eval),
      modBytes: statSync(join(root, "mod.ts")).size,
    };

    const lines = [
      `| Cold start (${coldStart.runtime}) | median ms |`,
      "|---|---:|",
      `| F0 \`node -e ''\` | ${cold.F0} |`,
      `| F1 the floor: @actions/core + @actions/github context, one output (${
        (coldStart.floorBytes / 1024).toFixed(0)
      } KiB) | ${cold.F1} |`,
      `| A \`dist/index.js\`: access token + JWT from the local server, outputs written (${
        (coldStart.distBytes / 1024).toFixed(0)
      } KiB) | ${cold.A} |`,
      `| A/F0 · F1/F0 · **A/F1** (budget ≤ 1.10) | ${coldStart.ratios["A/F0"]} · ${coldStart.ratios["F1/F0"]} · **${
        coldStart.ratios["A/F1"]
      }** ${coldStart.status} |`,
      "",
      "| Before the first byte: the first connection, after the process starts | median ms |",
      "|---|---:|",
      ...Object.entries(firstConnection).map(([name, ms]) => `| ${name} | ${ms} |`),
      "",
      "| Cold start over HTTPS (local server, no delay) | median ms |",
      "|---|---:|",
      `| F1 the floor | ${coldHttps.F1} |`,
      `| F2 the floor + one HTTPS request with Node's \`https\` | ${coldHttps.F2} |`,
      `| A \`dist/index.js\` over HTTPS | ${coldHttps.A} |`,
      `| F2/F1 · **A/F2** (budget ≤ 1.10) · A − F2, our part | ${coldStartHttps.ratios["F2/F1"]} · **${
        coldStartHttps.ratios["A/F2"]
      }** ${coldStartHttps.status} · ${coldStartHttps.oursMs} ms |`,
      "",
      `| Deno (${deno.runtime}) | median ms |`,
      "|---|---:|",
      `| \`deno eval ''\` | ${denoTimes.eval} |`,
      `| \`deno run\` importing mod.ts (${
        (deno.modBytes / 1024).toFixed(0)
      } KiB) and fetching a JWT | ${denoTimes.jwt} |`,
      `| ratio | ${deno.ratio} |`,
    ];
    return { results: { coldStart, firstConnection, coldStartHttps, deno }, lines } satisfies Part<unknown>;
  } finally {
    server.stop();
    httpsServer.stop();
  }
}
