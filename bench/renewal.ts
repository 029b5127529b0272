/**
 * Renewing a refreshable JWT in the middle of a job: `itsyou-token --refresh`, the command the action puts on the
 * job's PATH, against the `npx` route the README used to show. npx here installs the npm package from a local
 * tarball (this machine reaches no public registry), so its figures leave out the registry's round trips: they are
 * the least that route costs.
 */
import { execFileSync } from "node:child_process";
import { mkdirSync, readdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { getJwt } from "../mod.ts";
import { runAction } from "../harness/runner.ts";
import { buildPackage } from "../scripts/build-package.ts";
import { startServer } from "../server/serve.ts";
import { check, round, timeInterleaved, tmp } from "./measure.ts";
import type { Part, Program } from "./measure.ts";

export async function measureRenewal() {
  const server = await startServer();
  const [org] = server.registry.organizations;
  try {
    const job = join(tmp, "renewal-job");
    mkdirSync(job, { recursive: true });
    const action = await runAction(
      { "client-id": org.globalId, "client-secret": org.secret, "base-url": server.url },
      {},
      job,
    );
    if (action.status !== 0 || action.path.length !== 1) throw new Error(`the action failed: ${action.stdout}`);
    const jwt = await getJwt({ clientId: org.globalId, clientSecret: org.secret }, {
      baseUrl: server.url,
      refreshable: true,
    });
    const packageDir = buildPackage(
      { GITHUB_REPOSITORY: "bench/itsyou-token-action", ...process.env },
      join(tmp, "renewal-package"),
    );
    execFileSync("npm", ["pack", "--silent", "--pack-destination", tmp], { cwd: packageDir });
    const tarball = join(tmp, readdirSync(tmp).find((name) => name.endsWith(".tgz"))!);
    const env = { ...process.env, ITSYOU_JWT: jwt, ITSYOU_BASE_URL: server.url };
    const warmCache = join(tmp, "npm-cache-warm");
    const npx = (
      cache: string,
    ): string[] => ["exec", "--yes", "--cache", cache, `--package=${tarball}`, "--", "itsyou-token", "--refresh"];
    writeFileSync(
      join(tmp, "fresh-npx.sh"),
      `d=$(mktemp -d); npm ${npx('"$d"').join(" ")} >/dev/null; s=$?; rm -rf "$d"; exit $s\n`,
    );
    const programs: Record<"command" | "npxWarm" | "npxFresh", Program> = {
      command: { command: join(action.path[0], "itsyou-token"), args: ["--refresh"], env },
      npxWarm: { command: "npm", args: npx(warmCache), env },
      npxFresh: { command: "sh", args: [join(tmp, "fresh-npx.sh")], env },
    };
    console.log("Renewal in a job: itsyou-token against npx…");
    const ms = await timeInterleaved(programs);
    const ratio = round(ms.command / ms.npxWarm);
    const lines = [
      "| Renewing a refreshable JWT in a job (`--refresh`, local server) | ms |",
      "|---|---:|",
      `| \`itsyou-token\`, the action's command on the job's PATH | ${ms.command} |`,
      `| \`npx @itsyou/token\`, package already in npm's cache | ${ms.npxWarm} |`,
      `| \`npx @itsyou/token\`, fresh npm cache (a new runner), tarball on disk: no registry round trips | ${ms.npxFresh} |`,
      `| itsyou-token / npx with a warm cache | ${ratio} ${check(ratio <= 0.8, "itsyou-token/npx warm ≤ 0.8")} |`,
    ];
    return { results: { renewal: { ...ms, ratio } }, lines } satisfies Part<unknown>;
  } finally {
    await server.close();
  }
}
