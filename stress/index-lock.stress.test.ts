// The long index-lock trial (issue 19, item 12): N real processes, random SIGKILLs, status probes;
// never two holders at once. Sized by LOCK_STRESS_SECTIONS (10,000), LOCK_STRESS_WORKERS (6),
// LOCK_STRESS_KILL_EVERY_MS (150).
import { describe, expect, it } from "vitest";
import { runLockContention } from "../test/support/lock-contention.js";
import { makeTempDir } from "../test/support/temp-dirs.js";

const sections = Number(process.env.LOCK_STRESS_SECTIONS ?? 10_000);
const workers = Number(process.env.LOCK_STRESS_WORKERS ?? 6);
const killEveryMs = Number(process.env.LOCK_STRESS_KILL_EVERY_MS ?? 150);

describe("index lock stress", () => {
  it(`${workers} processes, a SIGKILL every ~${killEveryMs} ms: 0 overlaps in ${sections} critical sections`, async () => {
    const result = await runLockContention({ dir: await makeTempDir(), workers, sections, killEveryMs, seed: 19 });
    console.log(`index-lock stress: ${JSON.stringify({ ...result, crashes: result.crashes.length })}`);
    expect(result.crashes).toEqual([]);
    expect(result.sections).toBeGreaterThanOrEqual(sections);
    expect(result.killsInSection).toBeGreaterThan(0);
    expect(result.overlaps).toBe(0);
  });
});
