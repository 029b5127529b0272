/**
 * `npm run chaos`: the token source under chaos against the real ItsYou.online server (harness/chaos.ts), about
 * two minutes; `npm run chaos -- --soak` lengthens every fault fourfold, `--scale N` N-fold. `--write FILE` also
 * writes the report as Markdown. Ends with "N passed, N failed", one for each of the run's promises.
 *
 * It starts its own server with harness/identityserver/start.sh (the run kills and restarts it, so it never
 * borrows another's), and runs the sources in a child process that trusts the server's CA from its start
 * (NODE_EXTRA_CA_CERTS), as a user's service would.
 */
import { spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { cpus, platform, release, tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { parseArgs } from "node:util";
import { runChaos } from "../harness/chaos.ts";
import { realServer, SERVER_ENV } from "../harness/real-server.ts";

const root = fileURLToPath(new URL("..", import.meta.url));
const { values } = parseArgs({
  options: { soak: { type: "boolean" }, scale: { type: "string" }, write: { type: "string" } },
});
const scale = values.scale ? Number(values.scale) : values.soak ? 4 : 1;

if (process.env[SERVER_ENV] && process.env.NODE_EXTRA_CA_CERTS) {
  const server = realServer();
  const report = await runChaos(server, process.env[SERVER_ENV]!, {
    scale,
    callers: 100,
    log: (line) => console.log(line),
  });
  const lines = [
    ...report.rows,
    "",
    ...report.verdicts.map((verdict) => `- ${verdict.ok ? "ok" : "FAIL"}: ${verdict.what}`),
  ];
  console.log(`\n${lines.join("\n")}\n`);
  if (values.write) {
    const machine = `${cpus()[0]?.model ?? "unknown"}, ${cpus().length} cores, ${platform()} ${release()}`;
    const header = [
      "# The chaos run",
      "",
      `\`npm run chaos${scale === 1 ? "" : ` -- --scale ${scale}`}\` on ${
        new Date().toISOString().slice(0, 10)
      }, ${machine}:`,
      "the real ItsYou.online server (identityserver 333d788) through the fault proxy, two token sources (plain and",
      "refreshable, `validity` 20 s, `refreshBefore` 10 s, default timeout and retries), 100 callers each.",
      "",
    ];
    writeFileSync(values.write, `${[...header, ...lines].join("\n")}\n`);
  }
  const failed = report.verdicts.filter((verdict) => !verdict.ok).length;
  console.log(`${report.verdicts.length - failed} passed, ${failed} failed`);
  process.exitCode = failed === 0 ? 0 : 1;
} else {
  const scripts = join(root, "harness/identityserver");
  const dir = mkdtempSync(join(tmpdir(), "itsyou-chaos-"));
  console.log(`── starting the real server (${scripts}/start.sh)`);
  const start = spawnSync(join(scripts, "start.sh"), [join(dir, "server")], { stdio: ["ignore", "ignore", "inherit"] });
  if (start.status !== 0) {
    console.error(`chaos: the real server did not start; run ${scripts}/install.sh as root first.`);
    console.log("0 passed, 1 failed");
    process.exit(1);
  }
  const serverFile = join(dir, "server", "server.json");
  const { caFile } = JSON.parse(readFileSync(serverFile, "utf8"));
  const run = spawnSync(
    process.execPath,
    [join(root, "scripts/run.mjs"), "scripts/chaos.ts", ...process.argv.slice(2)],
    {
      cwd: root,
      stdio: "inherit",
      env: { ...process.env, [SERVER_ENV]: serverFile, NODE_EXTRA_CA_CERTS: caFile },
    },
  );
  spawnSync(join(scripts, "stop.sh"), [join(dir, "server")], { stdio: "inherit" });
  rmSync(dir, { recursive: true, force: true });
  process.exitCode = run.status ?? 1;
}
