import { defineConfig } from "vitest/config";

export default defineConfig({
  test: {
    include: [
      "test/node/**/*.test.ts",
      "test/workerd/**/*.test.ts",
      "test/package/**/*.test.ts",
      // The contract suite needs a running real server: npm run test:real starts one and names it here.
      ...(process.env.ITSYOU_REAL_SERVER ? ["test/real/**/*.test.ts"] : []),
    ],
    testTimeout: 20_000,
    hookTimeout: 20_000,
    // npm test runs with --coverage: the figure for mod.ts and src/, with floors just under what the suites reach.
    // src/main.ts and src/index.ts run as dist/index.js in child processes (as the runner runs them), which this
    // in-process measure does not see: their floor is the end-to-end suites, not a number.
    coverage: {
      provider: "v8",
      include: ["mod.ts", "src/**"],
      reporter: ["text-summary", "text"],
      thresholds: {
        "mod.ts": { lines: 98, branches: 93.5, functions: 95, statements: 97 },
        "src/inputs.ts": { lines: 90, branches: 70 },
      },
    },
  },
});
