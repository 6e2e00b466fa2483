// Issue 19, "Done when": ≥ 3,000 searches (CODESEARCH_STRESS_ANSWERS, default 3000; seed
// CODESEARCH_STRESS_SEED, default 19) from an MCP server, a long-lived session and one-shot sessions
// across `index --rebuild`, `verify --repair` and repairing MCP `reindex` runs: 0 silently wrong, 0 failed.
import { describe, expect, it } from "vitest";
import { runRebuildTrial } from "../test/support/rebuild-trial.js";

const answers = Number(process.env.CODESEARCH_STRESS_ANSWERS ?? 3000);
const seed = Number(process.env.CODESEARCH_STRESS_SEED ?? 19);

describe("rebuild readers (stress)", () => {
  it(`${answers} answers across rebuild, repair and reindex (seed ${seed}): none silently wrong, none failed`, async () => {
    const counts = await runRebuildTrial({ seed, answers });
    console.log(`rebuild-readers stress (seed ${seed}): ${JSON.stringify(counts)}`);
    expect(counts.examples).toEqual([]);
    expect(counts).toMatchObject({ silentlyWrong: 0, failures: 0 });
    expect(counts.answers).toBeGreaterThanOrEqual(answers);
  });
});
