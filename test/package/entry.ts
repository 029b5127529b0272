/**
 * The shared core suite against the installed npm package: bundled by esbuild
 * with `@itsyou/token` left external, so Node or Bun resolves it from the
 * scratch project's node_modules exactly as a user's program would.
 * Usage: node entry.mjs '<CoreSetting JSON>'; prints each case's result as JSON.
 */
import * as lib from "@itsyou/token";
import { runCoreCases } from "../support/core-suite.ts";

const setting = JSON.parse(process.argv[2] ?? "{}");
console.log(JSON.stringify(await runCoreCases(lib, setting)));
