import { defineConfig } from "vitest/config";

// The stress lane (`npm run test:stress`): long adversarial trials, sized by environment variables, run on demand.
export default defineConfig({
  test: {
    include: ["stress/**/*.stress.test.ts"],
    pool: "forks",
    testTimeout: 3_600_000,
    hookTimeout: 600_000,
    env: { LANCEDB_LOG: "error", CODESEARCH_CACHE_DIR: "off" },
    reporters: ["default", "./test/support/summary-line-reporter.ts"],
  },
});
