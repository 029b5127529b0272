/**
 * The shared core suite inside workerd (Cloudflare's runtime, through miniflare),
 * against the local server: the worker is bundled with esbuild as users would.
 */
import { afterAll, beforeAll, expect, test } from "vitest";
import { build } from "esbuild";
import { Miniflare } from "miniflare";
import { fileURLToPath } from "node:url";
import { CORE_CASES } from "../support/core-suite.ts";
import { coreSetting } from "../support/fixture.ts";
import { useServerFixture } from "../support/expect.ts";

const f = useServerFixture();
let results: { name: string; error?: string }[] = [];
let mf: Miniflare;

beforeAll(async () => {
  const bundle = await build({
    entryPoints: [fileURLToPath(new URL("worker.ts", import.meta.url))],
    bundle: true,
    format: "esm",
    platform: "neutral",
    target: "es2022",
    write: false,
  });
  mf = new Miniflare({ modules: true, script: bundle.outputFiles[0].text, compatibilityDate: "2026-04-01" });
  const response = await mf.dispatchFetch("http://worker/", {
    method: "POST",
    body: JSON.stringify(await coreSetting(f)),
  });
  results = (await response.json()) as typeof results;
}, 60_000);

afterAll(() => mf?.dispose());

test("the worker ran every case", () => {
  expect(results.map((result) => result.name)).toEqual(CORE_CASES.map((c) => c.name));
});

test.each(CORE_CASES.map((c) => c.name))("workerd: %s", (name) => {
  const result = results.find((r) => r.name === name);
  expect(result, "no result").toBeDefined();
  expect(result?.error).toBeUndefined();
});
