// `codesearch mcp --watch` driven by the SDK's Client over stdio: the index follows edits, searches
// never wait for a refresh, and freshness is reported honestly.
import { rename, writeFile } from "node:fs/promises";
import path from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import { describe, expect, it } from "vitest";
import type { WatchState } from "../../src/model/watch-events.js";
import type { SearchToolResult } from "../../src/serve/search-tool.js";
import { freshnessOfWatch } from "../../src/serve/watch-freshness.js";
import { acquireIndexLock } from "../../src/store/index-lock.js";
import { snapshotFromScratch, snapshotIndex } from "../support/index-snapshot.js";
import { connectMcp, type McpSession } from "../support/mcp-client.js";
import { runCli } from "../support/run-cli.js";
import { TEST_MODEL_DIR, copyPythonFixtures } from "../support/temp-dirs.js";

async function search(session: McpSession, query: string): Promise<SearchToolResult> {
  const answer = (await session.client.callTool({ name: "search", arguments: { query, limit: 3, mode: "lexical" } })) as { isError?: boolean; structuredContent?: unknown };
  expect(answer.isError).toBeFalsy();
  return answer.structuredContent as SearchToolResult;
}

/** Calls `search` until `done(result)` holds (the watcher works in the background); returns that result. */
async function searchUntil(session: McpSession, query: string, done: (r: SearchToolResult) => boolean): Promise<SearchToolResult> {
  for (;;) {
    const result = await search(session, query);
    if (done(result)) return result;
    await sleep(100);
  }
}

describe("codesearch mcp --watch", () => {
  it("follows an edit and an atomic save, answers while the writer lock holds a refresh back, and reports freshness", { timeout: 90_000 }, async () => {
    const repo = await copyPythonFixtures();
    expect((await runCli(["index", ".", "--model", TEST_MODEL_DIR], { cwd: repo })).code).toBe(0);
    const session = await connectMcp([repo, "--watch"], { cwd: repo });
    await searchUntil(session, "cart total", (r) => r.freshness.state === "fresh");

    const added = path.join(repo, "shop", "loyalty.py");
    await writeFile(added, 'def loyalty_points(total):\n    """Points earned for a purchase."""\n    return int(total // 10)\n');
    const found = await searchUntil(session, "loyalty points", (r) => r.results[0]?.qualname === "loyalty_points" && r.freshness.state === "fresh");
    expect(found.freshness).toMatchObject({ watching: true, state: "fresh", lastRefreshAt: expect.any(String) });

    // While `codesearch index` (here: this process) holds the writer lock, the refresh waits and
    // searches still answer, from the last committed index, saying so.
    const lock = await acquireIndexLock(path.join(repo, ".codesearch"));
    await writeFile(`${added}.tmp~`, 'def loyalty_bonus(total):\n    """Bonus points."""\n    return 5\n');
    await rename(`${added}.tmp~`, added);
    const held = await searchUntil(session, "loyalty", (r) => r.freshness.state === "refreshing");
    expect(held.results[0]?.qualname).toBe("loyalty_points");
    expect(held.freshness.message).toContain("last committed index");
    // The status tool (and `codesearch status` in another process) show the watcher's state too.
    const status = (await session.client.callTool({ name: "status", arguments: {} })) as unknown as { structuredContent: { watcher: { state: WatchState } | null }; content: { text: string }[] };
    expect(status.structuredContent.watcher?.state).toMatchObject({ phase: "refreshing", fresh: false });
    expect(status.content[0]!.text).toMatch(/^watcher: process \d+ follows edits — refreshing \(as of /m);
    expect(JSON.parse((await runCli(["status", "--json"], { cwd: repo })).stdout).watcher.state.phase).toBe("refreshing");
    await lock.release();
    const after = await searchUntil(session, "loyalty bonus", (r) => r.results[0]?.qualname === "loyalty_bonus" && r.freshness.state === "fresh");
    expect(after.results.map((h) => h.qualname)).not.toContain("loyalty_points");
    expect(await snapshotIndex(path.join(repo, ".codesearch"))).toEqual(await snapshotFromScratch(repo));
    expect(session.stderr()).toMatch(/codesearch mcp: \d\d:\d\d:\d\d up to date: 1 file indexed/);
  });
});

describe("freshnessOfWatch", () => {
  const state = (overrides: Partial<WatchState>): WatchState => ({
    fresh: false, phase: "idle", watcherError: null, pendingSince: null, refreshCount: 1,
    lastRefresh: { finishedAt: "2026-11-30T12:00:00.000Z", durationMs: 300, ok: true }, ...overrides,
  });
  it.each([
    ["fresh", state({ fresh: true }), "fresh", true],
    ["a refresh under way", state({ phase: "refreshing" }), "refreshing", true],
    ["changes waiting", state({ phase: "pending", pendingSince: "2026-11-30T12:00:01.000Z" }), "stale", true],
    ["a failed refresh", state({ lastRefresh: { finishedAt: "2026-11-30T12:00:00.000Z", durationMs: 30, ok: false, error: "disk full" } }), "stale", true],
    ["a failed watcher", state({ phase: "failed", watcherError: "ENOSPC" }), "error", false],
    ["a watcher that never started", null, "error", false],
  ] as const)("reports %s as %s", (_, watchState, expected, watching) => {
    const freshness = freshnessOfWatch(watchState, "no native binary");
    expect(freshness).toMatchObject({ state: expected, watching });
    if (expected !== "fresh") expect(freshness.message).toBeTruthy();
  });

  it.each([
    ["starting", state({ phase: "starting", refreshCount: 0, lastRefresh: null })],
    ["its first refresh", state({ phase: "refreshing", refreshCount: 0, lastRefresh: null })],
  ])("does not speak of edits while %s (none was made yet)", (_, watchState) => {
    const freshness = freshnessOfWatch(watchState);
    expect(freshness.state).toBe("refreshing");
    expect(freshness.message).toContain("catching up with edits made before the watcher started");
    expect(freshness.message).not.toContain("after edits");
  });
});
