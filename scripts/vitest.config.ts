// Runs the checks under scripts/ (scripts/*.check.ts), one file at a time as their .sh wrappers
// name it; never part of `npm test`.
import { defineConfig } from "vitest/config";

export default defineConfig({
  test: {
    include: ["scripts/*.check.ts"],
    pool: "forks",
    testTimeout: 600_000,
    env: { LANCEDB_LOG: "error" },
  },
});
