import { defineConfig } from "vitest/config";

export default defineConfig({
  test: {
    include: ["test/node/**/*.test.ts", "test/workerd/**/*.test.ts", "test/package/**/*.test.ts"],
    testTimeout: 20_000,
    hookTimeout: 20_000,
  },
});
