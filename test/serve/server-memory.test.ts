// The MCP server's memory settings: one collection after each burst of calls, and a young
// generation that stays small. The V8 flags are process-wide, so they are tried in a child process.
import { execFile } from "node:child_process";
import path from "node:path";
import { promisify } from "node:util";
import { afterEach, describe, expect, it, vi } from "vitest";
import { idleCollector } from "../../src/serve/server-memory.js";
import { PROJECT_ROOT } from "../support/temp-dirs.js";

describe("idleCollector", () => {
  afterEach(() => vi.useRealTimers());

  it("collects once after each burst, only after the quiet time, and not after stop", () => {
    vi.useFakeTimers();
    const collect = vi.fn();
    const collector = idleCollector(collect, 1000);
    for (let i = 0; i < 5; i++) {
      collector.activity();
      vi.advanceTimersByTime(900);
    }
    expect(collect).not.toHaveBeenCalled();
    vi.advanceTimersByTime(100);
    expect(collect).toHaveBeenCalledTimes(1);
    vi.advanceTimersByTime(10_000);
    expect(collect).toHaveBeenCalledTimes(1);
    collector.activity();
    vi.advanceTimersByTime(1000);
    expect(collect).toHaveBeenCalledTimes(2);
    collector.activity();
    collector.stop();
    vi.advanceTimersByTime(5000);
    expect(collect).toHaveBeenCalledTimes(2);
  });
});

/** Runs a script in a fresh Node process that allocates steadily, with or without the server's heap set-up. */
async function allocateInChild(configure: boolean): Promise<{ newSpaceMiB: number; collector: string; heapBeforeMiB: number; heapAfterMiB: number }> {
  const module = path.join(PROJECT_ROOT, "dist", "serve", "server-memory.js");
  const script = `
    import v8 from "node:v8";
    const { configureServerHeap } = await import(${JSON.stringify(module)});
    const gc = ${configure ? "configureServerHeap()" : "null"};
    const collector = gc === null ? "none" : typeof gc;
    let keep = [];
    for (let round = 0; round < 300; round++) {
      const batch = [];
      for (let i = 0; i < 20000; i++) batch.push({ i, s: "x" + i });
      keep.push(batch);
      if (keep.length > 20) keep.shift();
    }
    const newSpace = v8.getHeapSpaceStatistics().find((s) => s.space_name === "new_space").space_size;
    keep = null;
    const heapBefore = process.memoryUsage().heapUsed;
    gc?.();
    const heapAfter = process.memoryUsage().heapUsed;
    console.log(JSON.stringify({ newSpaceMiB: newSpace / 2 ** 20, collector, heapBeforeMiB: heapBefore / 2 ** 20, heapAfterMiB: heapAfter / 2 ** 20 }));
  `;
  const { stdout } = await promisify(execFile)(process.execPath, ["--input-type=module", "-e", script]);
  return JSON.parse(stdout) as { newSpaceMiB: number; collector: string; heapBeforeMiB: number; heapAfterMiB: number };
}

describe("configureServerHeap", () => {
  it("keeps the young generation at its initial size under steady allocation and returns a working full collection", async () => {
    const [plain, configured] = [await allocateInChild(false), await allocateInChild(true)];
    expect(plain.collector).toBe("none");
    expect(configured.collector).toBe("function");
    // V8 grew the plain process's young generation; the configured one stayed small.
    expect(plain.newSpaceMiB).toBeGreaterThanOrEqual(8);
    expect(configured.newSpaceMiB).toBeLessThanOrEqual(4);
    // The collection freed the garbage the loop left (about 20 batches of 20,000 objects).
    expect(configured.heapAfterMiB).toBeLessThan(configured.heapBeforeMiB / 2);
  });
});
