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
  },
});
