import { describe, expect, it } from "vitest";
import { embedChunks } from "../../src/embed/embed-chunks.js";
import type { Chunk } from "../../src/model/types.js";
import { makeChunk as chunk } from "../support/make-chunk.js";
import { fakeEmbedder, hashVector } from "../support/fake-embedders.js";

async function run(chunks: Chunk[], embedder: ReturnType<typeof fakeEmbedder>, batchSize: number) {
  const embedded = new Map<string, Float32Array>();
  const failed = new Map<string, string>();
  const handled = await embedChunks(chunks, embedder, {
    batchSize,
    onEmbedded: (c, v) => void embedded.set(c.name, v),
    onFailed: (c, e) => void failed.set(c.name, (e as Error).message),
  });
  return { embedded, failed, handled };
}

const texts = ["a", "bbbbbbbb", "cc", "ddddddddddddddddd", "eee", "ffff"];
const chunks = texts.map((t, i) => chunk(`f${i}`, t));

describe("embedChunks", () => {
  it("embeds every chunk once, in batches of similar length, with the embedder's vectors", async () => {
    const embedder = fakeEmbedder();
    const { embedded, failed, handled } = await run(chunks, embedder, 4);
    expect(handled).toBe(6);
    expect(failed.size).toBe(0);
    expect(embedder.calls).toEqual([["a", "cc", "eee", "ffff"], ["bbbbbbbb", "ddddddddddddddddd"]]);
    for (const c of chunks) expect(Array.from(embedded.get(c.name)!)).toEqual(Array.from(hashVector(c.text, 16)));
  });

  it("orders batches by the embedder's token counts when it reports them", async () => {
    // Token counts deliberately disagree with character lengths.
    const tokens: Record<string, number> = { a: 9, bbbbbbbb: 1, cc: 5, ddddddddddddddddd: 2, eee: 8, ffff: 3 };
    const embedder = { ...fakeEmbedder(), tokenCounts: (texts: readonly string[]) => texts.map((t) => tokens[t]!) };
    const calls: string[][] = [];
    await embedChunks(chunks, { ...embedder, embed: async (texts) => (calls.push([...texts]), embedder.embed(texts)) }, {
      batchSize: 3,
      onEmbedded: () => undefined,
      onFailed: () => undefined,
    });
    expect(calls).toEqual([["bbbbbbbb", "ddddddddddddddddd", "ffff"], ["cc", "eee", "a"]]);
  });

  it("orders by token count at batch size 1 too, and reports each text that reaches the token limit", async () => {
    const tokens: Record<string, number> = { a: 9, bbbbbbbb: 1, cc: 5, ddddddddddddddddd: 2, eee: 8, ffff: 3 };
    const embedder = { ...fakeEmbedder(), maxTokens: 8, tokenCounts: (texts: readonly string[]) => texts.map((t) => Math.min(tokens[t]!, 8)) };
    const calls: string[] = [];
    const truncated: string[] = [];
    await embedChunks(chunks, { ...embedder, embed: async (texts) => (calls.push(...texts), embedder.embed(texts)) }, {
      batchSize: 1,
      onEmbedded: () => undefined,
      onFailed: () => undefined,
      onTruncated: (c) => void truncated.push(c.text),
    });
    expect(calls).toEqual(["bbbbbbbb", "ddddddddddddddddd", "ffff", "cc", "a", "eee"]);
    expect(truncated.sort()).toEqual(["a", "eee"]);
  });

  it("retries a failing batch one by one so only the poisoned chunk fails", async () => {
    const embedder = fakeEmbedder({ poisoned: (t) => t === "cc" });
    const { embedded, failed } = await run(chunks, embedder, 3);
    expect([...failed.keys()]).toEqual(["f2"]);
    expect(failed.get("f2")).toBe("poisoned input");
    expect([...embedded.keys()].sort()).toEqual(["f0", "f1", "f3", "f4", "f5"]);
    // first batch [a, cc, eee] failed, then a, cc, eee alone, then the clean second batch
    expect(embedder.calls).toEqual([["a", "cc", "eee"], ["a"], ["cc"], ["eee"], ["ffff", "bbbbbbbb", "ddddddddddddddddd"]]);
  });

  it("treats a wrong vector count as a batch failure and recovers item by item", async () => {
    const embedder = fakeEmbedder({ dropFromBatches: 1 });
    const { embedded, failed } = await run(chunks, embedder, 3);
    expect(failed.size).toBe(0);
    expect(embedded.size).toBe(6);
  });

  it("fails every chunk of a model with the wrong dimension, never padding or truncating", async () => {
    const embedder = fakeEmbedder({ dimension: 16, wrongDimension: 8 });
    const { embedded, failed } = await run(chunks.slice(0, 2), embedder, 2);
    expect(embedded.size).toBe(0);
    expect([...failed.values()]).toEqual([
      "embedder returned a 8-d vector, expected 16",
      "embedder returned a 8-d vector, expected 16",
    ]);
  });

  it("lets timers run between batches even when the model never yields to the event loop", async () => {
    const embedder = fakeEmbedder({ blockMs: 5 }); // blocks, then resolves through microtasks only
    let callsWhenTimerFired = -1;
    setTimeout(() => (callsWhenTimerFired = embedder.calls.length), 0);
    await run(chunks, embedder, 1);
    expect(callsWhenTimerFired).toBeGreaterThan(0);
    expect(callsWhenTimerFired).toBeLessThan(chunks.length);
  });

  it("stops before the next batch once the signal aborts", async () => {
    const embedder = fakeEmbedder();
    const controller = new AbortController();
    let seen = 0;
    const handled = await embedChunks(chunks, embedder, {
      batchSize: 2,
      signal: controller.signal,
      onEmbedded: () => {
        if (++seen === 2) controller.abort();
      },
      onFailed: () => undefined,
    });
    expect(handled).toBe(2);
    expect(embedder.calls.length).toBe(1);
  });
});
