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

export function buildPackage(): string {
  rmSync(PACKAGE_DIR, { recursive: true, force: true });
  mkdirSync(PACKAGE_DIR);
  const tsc = spawnSync(`${root}node_modules/.bin/tsc`, [
    "mod.ts", "cli.ts", "--ignoreConfig",
    "--outDir", PACKAGE_DIR, "--declaration", "--target", "es2022", "--module", "nodenext", "--moduleResolution", "nodenext",
    "--lib", "es2022,dom", "--types", "node", "--strict", "--skipLibCheck", "--rewriteRelativeImportExtensions",
  ], { cwd: root, stdio: "inherit" });
  if (tsc.status !== 0) throw new Error("tsc failed to build the package");
  const { version, license } = JSON.parse(readFileSync(`${root}package.json`, "utf8"));
  const manifest = {
    name: "@itsyou/token",
    version,
    description: "A zero-dependency ItsYou.online client: access tokens, JWTs, refresh and ES384 verification. Web APIs only.",
    license,
    type: "module",
    exports: { ".": { types: "./mod.d.ts", default: "./mod.js" }, "./package.json": "./package.json" },
    types: "./mod.d.ts",
    bin: { "itsyou-token": "./cli.js" },
    files: ["mod.js", "mod.d.ts", "cli.js", "cli.d.ts", "README.md", "LICENSE"],
    engines: { node: ">=20" },
    sideEffects: false,
    keywords: ["itsyou.online", "oauth2", "jwt", "es384", "client-credentials"],
  };
  writeFileSync(`${PACKAGE_DIR}/package.json`, `${JSON.stringify(manifest, null, 2)}\n`);
  for (const file of ["README.md", "LICENSE"]) copyFileSync(`${root}${file}`, `${PACKAGE_DIR}/${file}`);
  return PACKAGE_DIR;
}

if (process.argv[1] === fileURLToPath(import.meta.url)) console.log(`built ${buildPackage()}`);
