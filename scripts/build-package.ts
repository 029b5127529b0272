/**
 * `npm run build:package`: builds the library's npm package, `@itsyou/token`,
 * into `.package/` (generated, never edited, not committed): mod.ts and cli.ts
 * compiled by tsc into JavaScript with declarations, a package.json whose
 * version is the repository's, its README (docs/npm-package.md) and LICENSE. `npm pack .package` makes
 * the tarball; test/package/ installs that tarball and tests it as users get it.
 */
import { spawnSync } from "node:child_process";
import { copyFileSync, mkdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { fileURLToPath } from "node:url";

const root = fileURLToPath(new URL("..", import.meta.url));
export const PACKAGE_DIR = `${root}.package`;

/** The Node versions the package supports, import and require() alike. */
export const ENGINES = "^20.19.0 || >=22.12.0";

/** A package that cannot be built as asked: one line that says what to set. */
export class PackageError extends Error {}

/**
 * Where this repository lives, for the package's `repository`, `homepage` and `bugs`: GITHUB_REPOSITORY
 * (`owner/name`; set on GitHub, where npm's provenance must match it; set it by hand elsewhere). A published
 * version keeps these fields forever, so there is no placeholder.
 */
export function repositoryUrl(env: Record<string, string | undefined>): string {
  if (!env.GITHUB_REPOSITORY || !/^[\w.-]+\/[\w.-]+$/.test(env.GITHUB_REPOSITORY)) {
    throw new PackageError(
      "GITHUB_REPOSITORY must name the repository the package comes from (owner/name), as on GitHub: the package's repository, homepage and bugs fields name it, and npm provenance must match it.",
    );
  }
  return `${(env.GITHUB_SERVER_URL || "https://github.com").replace(/\/+$/, "")}/${env.GITHUB_REPOSITORY}`;
}

/** Builds into `dir`; on GitHub, `env`'s GITHUB_REPOSITORY names the repository. */
export function buildPackage(env: Record<string, string | undefined> = process.env, dir: string = PACKAGE_DIR): string {
  const repository = repositoryUrl(env);
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
    // Public; provenance comes from the workflow (npm publish --provenance), never forced: a first, bootstrap
    // version published by hand could not make one (npm refuses with "provider: null").
    publishConfig: { access: "public" },
    sideEffects: false,
    keywords: ["itsyou.online", "oauth2", "jwt", "es384", "client-credentials"],
  };
  writeFileSync(`${dir}/package.json`, `${JSON.stringify(manifest, null, 2)}\n`);
  // The package's own page, for the library's users (the repository's README is the action's page).
  copyFileSync(`${root}docs/npm-package.md`, `${dir}/README.md`);
  copyFileSync(`${root}LICENSE`, `${dir}/LICENSE`);
  return dir;
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  try {
    console.log(`built ${buildPackage()}`);
  } catch (error) {
    if (!(error instanceof PackageError)) throw error;
    console.error(`build:package: ${error.message}`);
    process.exit(1);
  }
}
