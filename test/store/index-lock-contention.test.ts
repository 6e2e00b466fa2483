// Many real processes, one index lock, random SIGKILLs: never two holders at once (the long trial
// is stress/index-lock.stress.test.ts).
import { describe, expect, it } from "vitest";
import { runLockContention } from "../support/lock-contention.js";
import { makeTempDir } from "../support/temp-dirs.js";

describe("index lock under contention (real processes)", () => {
  it("4 processes, SIGKILLs at random, status probes meanwhile: 0 overlapping critical sections", { timeout: 120_000 }, async () => {
    const result = await runLockContention({ dir: await makeTempDir(), workers: 4, sections: 400, killEveryMs: 60, seed: 7 });
    expect(result.crashes).toEqual([]);
    expect(result.sections).toBeGreaterThanOrEqual(400);
    expect(result.kills).toBeGreaterThan(5);
    expect(result.overlaps).toBe(0);
  });
});
