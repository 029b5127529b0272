/**
 * What a user would run instead, and the action and the library, each as a whole process (start, TLS, requests,
 * exit), over HTTPS through a delaying proxy at 0, 50 and 100 ms of round-trip time, interleaved. The proxy counts
 * TCP connections, TLS handshakes and HelloRetryRequests; round trips are the time the delay added over the same
 * peer at 0 ms. Each peer has an id; the ratios a user asks about are the action's against the curl recipe's and
 * the official Go client's.
 */
import { execFileSync, spawnSync } from "node:child_process";
import { existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { get as httpsGet } from "node:https";
import { join } from "node:path";
import { startDelayProxy } from "../harness/delay-proxy.ts";
import { runnerEnvironment } from "../harness/runner.ts";
import type { Certificates } from "../harness/tls.ts";
import { buildPackage } from "../scripts/build-package.ts";
import { startServer } from "../server/serve.ts";
import { check, DENO, median, NODE, root, round, timeProcess, tmp } from "./measure.ts";
import type { Part, Program } from "./measure.ts";

const NETWORK_RUNS = Number(process.env.BENCH_NETWORK_RUNS ?? 11);
const RTTS = [0, 50, 100];

interface Peer {
  id: string;
  name: string;
  /** Why it is not measured here, if it is not. */
  skipped?: string;
  /** The process, given the proxy's URL. */
  run(base: string): Promise<Program> | Program;
  /** Its floor: the same runtime or tools doing nothing. */
  floor: Program;
  /**
   * Round trips it may take at 100 ms (a budget), if any: the round trips its flow needs (TCP, TLS, then one per
   * request in sequence) plus 0.2, since the figure is a difference of two medians of whole processes.
   */
  budget?: number;
  /** TCP connections it must stay within (a budget), if any. */
  connections?: number;
}

interface PeerRow {
  id: string;
  peer: string;
  rttMs: number;
  floorMs: number;
  ms: number;
  roundTrips: number | null;
  connections: number;
  tlsHandshakes: number;
  helloRetryRequests: number;
  status: string;
}

/** The ratios of the action's wall time that have budgets at 100 ms: at most 0.70 of the curl recipe, 1.05 of Go's. */
const RATIOS = [
  { name: "action/curl recipe", of: "action", to: "curl-recipe", budget: 0.7 },
  { name: "action/Go client", of: "action", to: "go-client", budget: 1.05 },
] as const;

/** The official Go client, built from the server's source tarball in GOPATH mode against its vendor/ (no downloads). */
function buildGoClient(): string {
  const tarball = process.env.IDENTITYSERVER_TARBALL ??
    join(root, "../shared/identityserver/identityserver-333d788.tar.gz");
  if (spawnSync("go", ["version"]).status !== 0) {
    return "skipped: no Go on PATH (harness/identityserver/install.sh installs it)";
  }
  if (!existsSync(tarball)) return `skipped: ${tarball} is missing (set IDENTITYSERVER_TARBALL)`;
  const gopath = join(tmp, "gopath");
  const tree = join(gopath, "src/github.com/itsyouonline/identityserver");
  mkdirSync(join(tree, "benchclient"), { recursive: true });
  execFileSync("tar", ["-xzf", tarball, "-C", tree]);
  writeFileSync(join(tree, "benchclient/main.go"), readFileSync(join(root, "bench/fixture/go-client/main.go")));
  const binary = join(tmp, "go-client");
  const build = spawnSync("go", ["build", "-o", binary, "./benchclient"], {
    cwd: tree,
    env: { ...process.env, GO111MODULE: "off", GOPATH: gopath, GOCACHE: join(tmp, "gocache"), GOFLAGS: "" },
    encoding: "utf8",
  });
  return build.status === 0 ? binary : `skipped: go build failed: ${build.stderr.trim().split("\n")[0]}`;
}

export async function measurePeers(certificates: Certificates) {
  const tlsServer = await startServer({ tls: { ...certificates, ecdhCurve: "X25519MLKEM768:X25519:P-256:P-384" } });
  const [org] = tlsServer.registry.organizations;
  try {
    const rows = await measure(definePeers(certificates, tlsServer.url, org), tlsServer.port);
    return report(rows.rows, rows.skipped);
  } finally {
    await tlsServer.close();
  }
}

function definePeers(
  certificates: Certificates,
  serverUrl: string,
  org: { globalId: string; secret: string; callbackUrl: string },
): Peer[] {
  const goClient = buildGoClient();
  const hasCurl = spawnSync("curl", ["--version"]).status === 0 && spawnSync("jq", ["--version"]).status === 0;
  // The npm package's JavaScript, as Node users install it: built for timing only, never published (it needs a
  // repository to name).
  const packageMod = join(
    buildPackage({ GITHUB_REPOSITORY: "bench/itsyou-token-action", ...process.env }, join(tmp, "package")),
    "mod.js",
  );
  const env = {
    ...process.env,
    ITSYOU_CLIENT_SECRET: org.secret,
    NODE_EXTRA_CA_CERTS: certificates.caFile,
    SSL_CERT_FILE: certificates.caFile,
    CA: certificates.caFile,
    ID: org.globalId,
  };
  const runnerDir = join(tmp, "peer-runner");
  mkdirSync(runnerDir);
  const action = (base: string, inputs: Record<string, string> = {}): Program => {
    const runner = runnerEnvironment(
      { "client-id": org.globalId, "client-secret": org.secret, "base-url": base, ...inputs },
      runnerDir,
    );
    for (const file of [runner.GITHUB_OUTPUT, runner.GITHUB_ENV, runner.GITHUB_PATH, runner.GITHUB_STEP_SUMMARY]) {
      writeFileSync(file, "");
    }
    return {
      command: NODE,
      args: [join(root, "dist/index.js")],
      env: { ...runner, NODE_EXTRA_CA_CERTS: certificates.caFile },
    };
  };
  /** A fresh code from the local server's /v1/oauth/authorize (alice is logged in there), not through the proxy. */
  const freshCode = async (): Promise<string> => {
    const url = `${serverUrl}/v1/oauth/authorize?response_type=code&client_id=${org.globalId}&redirect_uri=${
      encodeURIComponent(org.callbackUrl)
    }&state=s`;
    const location = await new Promise<string>((resolve, reject) => {
      const outgoing = httpsGet(url, { ca: readFileSync(certificates.caFile) }, (response) => {
        response.resume();
        resolve(response.headers.location ?? "");
      });
      outgoing.on("error", reject);
    });
    return new URL(location).searchParams.get("code") ?? "";
  };
  const peerScript = join(root, "bench/fixture/peer-library.mjs");
  const denoRun = ["run", "--allow-net=127.0.0.1", "--allow-env", "--allow-read", "--cert", certificates.caFile];
  /** The runtime starting and exiting, nothing imported: the floor of every Node or Deno row. */
  const nodeFloor: Program = { command: NODE, args: [peerScript], env };
  const denoFloor: Program = { command: DENO, args: [...denoRun, peerScript], env };
  const library = (runtime: "node" | "deno", modPath: string, mode: string) => (base: string): Program =>
    runtime === "node"
      ? { command: NODE, args: [peerScript, modPath, base, org.globalId, mode], env }
      : { command: DENO, args: [...denoRun, peerScript, modPath, base, org.globalId, mode], env };
  const bash = (script: string): Program => ({ command: "bash", args: ["-c", script], env });
  const CURL = 'curl -sS --fail --cacert "$CA"';
  return [
    {
      id: "curl-recipe",
      name: "the ItsYou.online docs' curl recipe (two curls and jq, as a run: step)",
      skipped: hasCurl ? undefined : "skipped: curl or jq is missing",
      run: (base) =>
        bash(
          `set -e; T=$(${CURL} -d "grant_type=client_credentials&client_id=$ID&client_secret=$ITSYOU_CLIENT_SECRET" "${base}/v1/oauth/access_token" | jq -r .access_token); ${CURL} -H "Authorization: token $T" "${base}/v1/oauth/jwt" >/dev/null`,
        ),
      floor: bash("curl --version >/dev/null; jq --version >/dev/null; curl --version >/dev/null"),
    },
    {
      id: "curl-id-token",
      name: "one curl with response_type=id_token (the JWT only)",
      skipped: hasCurl ? undefined : "skipped: curl is missing",
      run: (base) =>
        bash(
          `${CURL} -d "grant_type=client_credentials&client_id=$ID&client_secret=$ITSYOU_CLIENT_SECRET&response_type=id_token" "${base}/v1/oauth/access_token" >/dev/null`,
        ),
      floor: bash("curl --version >/dev/null"),
    },
    {
      id: "go-client",
      name: "the official Go client (LoginWithClientCredentials + CreateJWTToken)",
      skipped: goClient.startsWith("skipped") ? goClient : undefined,
      run: (base) => ({ command: goClient, args: [base, org.globalId], env }),
      floor: { command: goClient, args: [], env },
    },
    {
      id: "action",
      name: "the action, `node dist/index.js` (access token + JWT at once)",
      run: (base) => action(base),
      floor: nodeFloor,
      budget: 3.2,
    },
    {
      id: "action-code",
      name: "the action, authorization code (token, then JWT)",
      run: async (base) =>
        action(base, {
          "grant-type": "authorization_code",
          code: await freshCode(),
          "redirect-uri": org.callbackUrl,
          state: "s",
        }),
      floor: nodeFloor,
      budget: 4.2,
      connections: 1,
    },
    {
      id: "cli-deno",
      name: "`cli.ts` under Deno (JWT from the credentials)",
      run: (base) => ({
        command: DENO,
        args: [...denoRun, "cli.ts", "--base-url", base],
        env: { ...env, ITSYOU_CLIENT_ID: org.globalId },
      }),
      floor: denoFloor,
      budget: 3.2,
    },
    {
      id: "node-package-token-then-jwt",
      name: "Node 24 script, npm package: getAccessToken() then getJwt(token)",
      run: library("node", packageMod, "token-then-jwt"),
      floor: nodeFloor,
      budget: 4.2,
      connections: 1,
    },
    {
      id: "node-package-jwt",
      name: "Node 24 script, npm package: getJwt(credentials)",
      run: library("node", packageMod, "jwt"),
      floor: nodeFloor,
      budget: 3.2,
    },
    {
      id: "node-mod-ts-jwt",
      name: "Node 24 script, mod.ts by type stripping: getJwt(credentials)",
      run: library("node", join(root, "mod.ts"), "jwt"),
      floor: nodeFloor,
      budget: 3.2,
    },
    {
      id: "deno-token-then-jwt",
      name: "Deno script: getAccessToken() then getJwt(token)",
      run: library("deno", join(root, "mod.ts"), "token-then-jwt"),
      floor: denoFloor,
      budget: 4.2,
      connections: 1,
    },
    {
      id: "deno-jwt",
      name: "Deno script: getJwt(credentials)",
      run: library("deno", join(root, "mod.ts"), "jwt"),
      floor: denoFloor,
      budget: 3.2,
    },
  ];
}

interface Sample {
  times: number[];
  floors: number[];
  connections: number;
  tlsHandshakes: number;
  helloRetryRequests: number;
}

async function measure(peers: Peer[], serverPort: number): Promise<{ rows: PeerRow[]; skipped: string[] }> {
  const skipped = peers.filter((peer) => peer.skipped).map((peer) => `${peer.name}: ${peer.skipped}`);
  for (const line of skipped) console.log(line);
  const measured = peers.filter((peer) => !peer.skipped);
  // Every run goes through the three proxies in turn, so that the machine's drift during the benchmark falls alike
  // on each round-trip time and cancels in the round trips (a difference of medians).
  const proxies = await Promise.all(RTTS.map((rttMs) => startDelayProxy(serverPort, rttMs)));
  const samples = new Map<string, Sample>();
  const sampleOf = (rttMs: number, peer: Peer): Sample => {
    const key = `${rttMs} ${peer.id}`;
    if (!samples.has(key)) {
      samples.set(key, { times: [], floors: [], connections: 0, tlsHandshakes: 0, helloRetryRequests: 0 });
    }
    return samples.get(key)!;
  };
  console.log(`Peers at ${RTTS.join(", ")} ms round trip, ${NETWORK_RUNS} interleaved runs each…`);
  try {
    for (let run = -1; run < NETWORK_RUNS; run++) {
      for (const [index, rttMs] of RTTS.entries()) {
        const proxy = proxies[index];
        for (const peer of measured) {
          const floor = await timeProcess(peer.floor);
          const program = await peer.run(`https://127.0.0.1:${proxy.port}`);
          proxy.reset();
          const ms = await timeProcess(program);
          if (run < 0) continue;
          const sample = sampleOf(rttMs, peer);
          sample.times.push(ms);
          sample.floors.push(floor);
          sample.connections += proxy.connections;
          sample.tlsHandshakes += proxy.tlsHandshakes;
          sample.helloRetryRequests += proxy.helloRetryRequests;
        }
      }
    }
  } finally {
    for (const proxy of proxies) await proxy.close();
  }
  const rows: PeerRow[] = [];
  for (const rttMs of RTTS) {
    for (const peer of measured) {
      const sample = sampleOf(rttMs, peer);
      const ms = round(median(sample.times), 1);
      const atZero = round(median(sampleOf(0, peer).times), 1);
      const roundTrips = rttMs > 0 ? round((ms - atZero) / rttMs, 2) : null;
      const per = (value: number): number => round(value / NETWORK_RUNS, 2);
      let status = "";
      if (rttMs === 100 && peer.budget !== undefined) {
        status = check(
          roundTrips !== null && roundTrips <= peer.budget,
          `${peer.name}: ${roundTrips} round trips at 100 ms, budget ${peer.budget}`,
        );
      }
      if (peer.connections !== undefined && per(sample.connections) > peer.connections) {
        status = check(false, `${peer.name}: ${per(sample.connections)} TCP connections, budget ${peer.connections}`);
      }
      rows.push({
        id: peer.id,
        peer: peer.name,
        rttMs,
        floorMs: round(median(sample.floors), 1),
        ms,
        roundTrips,
        connections: per(sample.connections),
        tlsHandshakes: per(sample.tlsHandshakes),
        helloRetryRequests: per(sample.helloRetryRequests),
        status,
      });
    }
  }
  return { rows, skipped };
}

function report(peers: PeerRow[], skippedPeers: string[]) {
  const ms = (id: string, rttMs: number): number | undefined =>
    peers.find((row) => row.id === id && row.rttMs === rttMs)?.ms;
  const peerRatios = RTTS.map((rttMs) => ({
    rttMs,
    ...Object.fromEntries(RATIOS.map(({ name, of, to }) => {
      const [a, b] = [ms(of, rttMs), ms(to, rttMs)];
      return [name, a !== undefined && b !== undefined ? round(a / b) : null];
    })),
  })) as ({ rttMs: number } & Record<(typeof RATIOS)[number]["name"], number | null>)[];
  const atHundred = peerRatios.find((row) => row.rttMs === 100)!;
  for (const { name, budget } of RATIOS) {
    const value = atHundred[name];
    // A ratio is absent only where its peer was not measured (Go not installed: a skipped peer, listed).
    if (value !== null) check(value <= budget, `${name} at 100 ms is ${value}, budget ${budget}`);
  }
  const lines = [
    `| Peers: HTTPS through a delaying proxy, whole processes (medians of ${NETWORK_RUNS}) | RTT ms | floor ms | ms | round trips | TCP connections | TLS handshakes | HelloRetryRequests |`,
    "|---|---:|---:|---:|---:|---:|---:|---:|",
    ...peers.map((row) =>
      `| ${row.peer} | ${row.rttMs} | ${row.floorMs} | ${row.ms} | ${row.roundTrips ?? "–"}${
        row.status ? ` ${row.status}` : ""
      } | ${row.connections} | ${row.tlsHandshakes} | ${row.helloRetryRequests} |`
    ),
    ...skippedPeers.map((line) => `| ${line} | | | | | | | |`),
    "",
    "| The action's wall time against (budget at 100 ms: curl ≤ 0.70, Go ≤ 1.05) | at 0 ms | at 50 ms | at 100 ms |",
    "|---|---:|---:|---:|",
    `| the curl recipe | ${peerRatios.map((row) => row["action/curl recipe"] ?? "–").join(" | ")} |`,
    `| the Go client | ${peerRatios.map((row) => row["action/Go client"] ?? "–").join(" | ")} |`,
  ];
  return { results: { networkRuns: NETWORK_RUNS, peers, peerRatios, skippedPeers }, lines } satisfies Part<unknown>;
}
