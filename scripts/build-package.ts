/**
 * `npm run build:package`: builds the library's npm package, `@itsyou/token`,
 * into `.package/` (generated, never edited, not committed): mod.ts and cli.ts
 * compiled by tsc into JavaScript with declarations, a package.json whose
 * version is the repository's, README.md and LICENSE. `npm pack .package` makes
 * the tarball; test/package/ installs that tarball and tests it as users get it.
 */
import { spawnSync } from "node:child_process";
import { copyFileSync, mkdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { fileURLToPath } from "node:url";

const root = fileURLToPath(new URL("..", import.meta.url));
export const PACKAGE_DIR = `${root}.package`;

/** The Node versions the package supports, import and require() alike. */
export const ENGINES = "^20.19.0 || >=22.12.0";

/** Where this repository lives: the one the build runs in on GitHub (provenance must match it), else the placeholder the README uses. */
export function repositoryUrl(env: Record<string, string | undefined>): string {
  if (env.GITHUB_REPOSITORY && /^[\w.-]+\/[\w.-]+$/.test(env.GITHUB_REPOSITORY)) {
    return `${(env.GITHUB_SERVER_URL || "https://github.com").replace(/\/+$/, "")}/${env.GITHUB_REPOSITORY}`;
  }
  return "https://github.com/org/itsyou-token-action";
}

/** Builds into `dir`; on GitHub, `env`'s GITHUB_REPOSITORY names the repository. */
export function buildPackage(env: Record<string, string | undefined> = process.env, dir: string = PACKAGE_DIR): string {
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(dir);
  const tsc = spawnSync(`${root}node_modules/.bin/tsc`, [
    "mod.ts",
    "cli.ts",
    "--ignoreConfig",
    "--outDir",
    dir,
    "--declaration",
    "--target",
    "es2022",
    "--module",
    "nodenext",
    "--moduleResolution",
    "nodenext",
    "--lib",
    "es2022,dom",
    "--types",
    "node",
    "--strict",
    "--skipLibCheck",
    "--rewriteRelativeImportExtensions",
  ], { cwd: root, stdio: "inherit" });
  if (tsc.status !== 0) throw new Error("tsc failed to build the package");
  const { version, license } = JSON.parse(readFileSync(`${root}package.json`, "utf8"));
  const repository = repositoryUrl(env);
  const manifest = {
    name: "@itsyou/token",
    version,
    description:
      "A zero-dependency ItsYou.online client: access tokens, JWTs, refresh and ES384 verification. Web APIs only.",
    license,
    type: "module",
    exports: { ".": { types: "./mod.d.ts", default: "./mod.js" }, "./package.json": "./package.json" },
    types: "./mod.d.ts",
    bin: { "itsyou-token": "cli.js" },
    files: ["mod.js", "mod.d.ts", "cli.js", "cli.d.ts", "README.md", "LICENSE"],
    // import works on every Node 20; require() of this ESM package from 20.19 and 22.12 (require(esm), unflagged).
    engines: { node: ENGINES },
    repository: { type: "git", url: `git+${repository}.git` },
    homepage: `${repository}#readme`,
    bugs: { url: `${repository}/issues` },
    // npm publish with trusted publishing: public, with a provenance statement that must name `repository`.
    publishConfig: { access: "public", provenance: true },
    sideEffects: false,
    keywords: ["itsyou.online", "oauth2", "jwt", "es384", "client-credentials"],
  };
  writeFileSync(`${dir}/package.json`, `${JSON.stringify(manifest, null, 2)}\n`);
  for (const file of ["README.md", "LICENSE"]) copyFileSync(`${root}${file}`, `${dir}/${file}`);
  return dir;
}

if (process.argv[1] === fileURLToPath(import.meta.url)) console.log(`built ${buildPackage()}`);
