// The unit lane (`npm run test:unit`): tests of pure functions and in-memory fakes only — no CLI
// child process, no LanceDB table, no model load, no MCP server — so it runs in well under a
// minute. `npm test` runs everything, these included. A test file belongs here when it needs
// nothing but its inputs; list it below (folders whose stage is pure by design are listed whole).
import { defineConfig } from "vitest/config";
import base from "./vitest.config.js";

// Not mergeConfig: it would append this include list to the base one, which selects every test.
export default defineConfig({
  ...base,
  test: {
    ...base.test,
    include: [
        // Pure stages: identifier words, ranking, progress reduction and text, tree-sitter extraction, Ink views.
        "test/model/**/*.test.ts",
        "test/rank/**/*.test.ts",
        "test/report/**/*.test.ts",
        "test/extract/**/*.test.ts",
        "test/ui/**/*.test.tsx",
        "test/bench/bench-catalogue.test.ts",
        "test/cli/resume-command.test.ts",
        "test/embed/embed-chunks.test.ts",
        "test/embed/embed-chunks-remote.test.ts",
        "test/serve/answer-budget.test.ts",
        "test/serve/server-memory.test.ts",
        "test/store/entity-filter.test.ts",
        "test/store/order-hits.test.ts",
        "test/watch/refresh-scheduler.test.ts",
    ],
    pool: "threads",
  },
});
