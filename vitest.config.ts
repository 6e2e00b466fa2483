import { defineConfig } from "vitest/config";

export default defineConfig({
  test: {
    include: ["test/**/*.test.ts", "test/**/*.test.tsx"],
    // onnxruntime and LanceDB are native modules: separate processes isolate them better than worker threads.
    pool: "forks",
    // Model loads and CLI runs take seconds on 2 cores; no test asserts timing.
    testTimeout: 60_000,
    // LanceDB reads LANCEDB_LOG when its native module loads, before any test file code runs. The
    // per-user shared embedding cache is off: tests that index must embed, not find another test's vectors
    // (test/pipeline/shared-cache.test.ts turns it on in temp folders).
    env: { LANCEDB_LOG: "error", CODESEARCH_CACHE_DIR: "off" },
    hookTimeout: 60_000,
    reporters: ["default", "./test/support/summary-line-reporter.ts"],
  },
});
