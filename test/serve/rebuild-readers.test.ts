// Issue 19, items 6 and 7 (short run; stress/rebuild-readers.stress.test.ts is the long one): searches
// from an MCP server, a long-lived session and one-shot sessions across `index --rebuild`,
// `verify --repair` and a repairing MCP `reindex` all answer a committed state, never fail, and
// follow each new commit on their next query.
import { describe, expect, it } from "vitest";
import { runRebuildTrial } from "../support/rebuild-trial.js";

describe("searches across rebuild, repair and reindex", () => {
  it("300 answers (seed 19): none silently wrong, none failed", { timeout: 600_000 }, async () => {
    const counts = await runRebuildTrial({ seed: 19, answers: 300 });
    console.log(`rebuild-readers (seed 19): ${JSON.stringify(counts)}`);
    expect(counts.examples).toEqual([]);
    expect(counts).toMatchObject({ silentlyWrong: 0, failures: 0 });
    expect(counts.answers).toBeGreaterThanOrEqual(300);
  });
});
