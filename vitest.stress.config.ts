import { defineConfig } from "vitest/config";

// The stress lane (`npm run test:stress`): long seeded trials kept out of the normal suite.
export default defineConfig({
  test: {
    include: ["stress/**/*.stress.test.ts"],
    // LanceDB and onnxruntime are native modules: separate processes isolate them better than worker threads.
    pool: "forks",
    // Trials run for many minutes on a loaded machine; no test asserts timing.
    testTimeout: 3_600_000,
    hookTimeout: 120_000,
    env: { LANCEDB_LOG: "error" },
  },
});
