import { setTimeout as sleep } from "node:timers/promises";
import { afterEach, describe, expect, it } from "vitest";
import { embedChunksRemote, embedChunksWith } from "../../src/embed/embed-chunks-remote.js";
import { type OpenAIEmbedderOptions, loadOpenAIEmbedder } from "../../src/embed/openai-embedder.js";
import { EmbeddingServiceError, IndexMismatchError } from "../../src/model/errors.js";
import type { Chunk } from "../../src/model/types.js";
import { fakeEmbedder, hashVector } from "../support/fake-embedders.js";
import { makeChunk } from "../support/make-chunk.js";
import { type Fault, type OpenAIServer, type OpenAIServerOptions, sentTexts, startOpenAIServer } from "../support/openai-server.js";

const servers: OpenAIServer[] = [];
afterEach(async () => {
  await Promise.all(servers.splice(0).map((s) => s.close()));
});

/** A server computing hash vectors, tracking how many requests it is answering at once. */
async function serve(options: Partial<OpenAIServerOptions> = {}) {
  const load = { now: 0, max: 0 };
  const server = await startOpenAIServer({
    embed: async (texts) => {
      load.max = Math.max(load.max, ++load.now);
      await sleep(20); // hold the request open so concurrent ones overlap
      load.now--;
      return texts.map((t) => hashVector(t, 16));
    },
    ...options,
  });
  servers.push(server);
  return { server, load };
}

function remote(server: OpenAIServer, options: Partial<OpenAIEmbedderOptions> = {}) {
  return loadOpenAIEmbedder({ baseUrl: server.baseUrl, model: "m", apiKey: undefined, retries: 2, retryMinDelayMs: 1, retryMaxDelayMs: 2, sleep: async () => {}, ...options });
}

/** 40 chunks `f0`…`f39` with distinct texts of growing length. */
const chunks: Chunk[] = Array.from({ length: 40 }, (_, i) => makeChunk(`f${i}`, `def f${i}(): return ${"x".repeat(i)}`));

async function run(list: readonly Chunk[], embedder: Awaited<ReturnType<typeof remote>>, maxConsecutiveFailures?: number) {
  const embedded = new Map<string, Float32Array>();
  const failed = new Map<string, string>();
  const truncated: string[] = [];
  let active = 0;
  let overlapping = false;
  const handled = await embedChunksRemote(list, embedder, {
    ...(maxConsecutiveFailures !== undefined ? { maxConsecutiveFailures } : {}),
    onEmbedded: async (c, v) => {
      overlapping ||= ++active > 1;
      await sleep(0);
      active--;
      embedded.set(c.name, v);
    },
    onFailed: (c, e) => void failed.set(c.name, (e as Error).message),
    onTruncated: (c) => void truncated.push(c.name),
  });
  return { embedded, failed, truncated, handled, overlapping };
}

const poisonText = chunks[17]!.text;
const poisoned = (fault: Fault) => (_n: number, inputs: string[]) => (inputs.includes(poisonText) ? fault : undefined);

describe("embedChunksRemote through a loopback OpenAI-compatible server", () => {
  it("sends each chunk once, in requests bounded by count and estimated tokens, with at most `concurrency` in flight", async () => {
    const { server, load } = await serve();
    const embedder = await remote(server, { batchSize: 6, batchTokens: 40, concurrency: 2 });
    const { embedded, failed, handled, overlapping } = await run(chunks, embedder);
    expect(handled).toBe(40);
    expect(failed.size).toBe(0);
    for (const c of chunks) expect(Array.from(embedded.get(c.name)!)).toEqual(Array.from(hashVector(c.text, 16)));
    const batches = server.requests.slice(1).map((r) => r.inputs);
    expect(batches.flat().sort()).toEqual(chunks.map((c) => c.text).sort());
    for (const batch of batches) {
      expect(batch.length).toBeLessThanOrEqual(6);
      if (batch.length > 1) expect(batch.reduce((sum, t) => sum + Math.ceil(t.length / 4), 0)).toBeLessThanOrEqual(40);
    }
    expect(load.max).toBe(2);
    expect(overlapping).toBe(false);
  });

  it("isolates an input the server always rejects (400) by halving: it alone fails with the server's message", async () => {
    const { server } = await serve({ fault: poisoned({ kind: "status", status: 400, message: "this input crashes the tokenizer" }) });
    const embedder = await remote(server, { batchSize: 16 });
    const { embedded, failed } = await run(chunks, embedder);
    expect([...failed.entries()]).toEqual([["f17", `HTTP 400 from ${server.baseUrl}/embeddings: this input crashes the tokenizer`]]);
    expect(embedded.size).toBe(39);
    // 3 batches + halving 16 → 8 → 4 → 2 → 1 (two halves per level), each 400 sent once.
    expect(server.requests.filter((r) => r.fault).length).toBe(5);
    expect(server.requests.length).toBeLessThanOrEqual(1 + 3 + 2 * 4);
  });

  it("retries a poisoned input that yields 500 a bounded number of times at each split, then fails it alone", async () => {
    const { server } = await serve({ fault: poisoned({ kind: "status", status: 500, message: "worker died" }) });
    const embedder = await remote(server, { batchSize: 8, retries: 2 });
    const { embedded, failed } = await run(chunks, embedder);
    expect([...failed.keys()]).toEqual(["f17"]);
    expect(failed.get("f17")).toContain("HTTP 500");
    expect(embedded.size).toBe(39);
    // 8 → 4 → 2 → 1: four failing requests, each sent 1 + 2 times.
    expect(server.requests.filter((r) => r.fault).length).toBe(4 * 3);
  });

  it("loses nothing through 500s, timeouts, 429 with Retry-After, a malformed body and a shuffled response", async () => {
    const faults: Fault[] = [
      { kind: "status", status: 500 },
      { kind: "hang" },
      { kind: "status", status: 429, headers: { "retry-after": "1" } },
      { kind: "malformed" },
      { kind: "shuffled" },
      { kind: "missing-item" },
    ];
    const { server } = await serve({ fault: (n) => (n > 1 && n % 2 === 0 ? faults.shift() : undefined) });
    const embedder = await remote(server, { batchSize: 5, concurrency: 3, retries: 6, requestTimeoutMs: 300 });
    const { embedded, failed } = await run(chunks, embedder);
    expect(failed.size).toBe(0);
    expect([...embedded.keys()].sort()).toEqual(chunks.map((c) => c.name).sort());
    for (const c of chunks) expect(Array.from(embedded.get(c.name)!)).toEqual(Array.from(hashVector(c.text, 16)));
    expect(faults).toEqual([]);
    expect(server.requests.length).toBe(1 + 8 + 5); // probe, 8 batches, one retry per fault but the (valid) shuffled answer
  });

  it("skips empty texts with a reason and counts texts cut to the token limit", async () => {
    const { server } = await serve();
    const embedder = await remote(server, { maxTokens: 4 });
    const list = [makeChunk("empty", " \n"), makeChunk("short", "def a(): 1"), makeChunk("long", "def long_name(): return 42")];
    const { embedded, failed, truncated } = await run(list, embedder);
    expect([...failed.entries()]).toEqual([["empty", "skipped: empty text, nothing to embed"]]);
    expect(truncated).toEqual(["long"]);
    expect([...embedded.keys()].sort()).toEqual(["long", "short"]);
    expect(sentTexts(server)).not.toContain(" \n");
    expect(sentTexts(server)).toContain("def long_name():");
  });

  it("stops with EmbeddingServiceError when every request keeps failing, after a bounded number of requests", async () => {
    const { server } = await serve({ fault: (n) => (n > 1 ? { kind: "status", status: 503 } : undefined) });
    const embedder = await remote(server, { batchSize: 4, concurrency: 1, retries: 1 });
    const error = await run(chunks, embedder, 3).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(EmbeddingServiceError);
    expect((error as Error).message).toMatch(/^3 entities failed in a row with no request succeeding; .* Last error: HTTP 503/);
    // One batch of 4 → 2 → 1, 1 (2 leaves) → 2 → 1 (third leaf): 6 requests, each sent twice.
    expect(server.requests.length).toBe(1 + 6 * 2);
  });

  it("a wrong dimension mid-run is fatal: IndexMismatchError once the requests in flight settle, earlier vectors kept", async () => {
    const { server } = await serve({ fault: (n) => (n === 4 ? { kind: "wrong-dimension", dimension: 8 } : undefined) });
    const embedder = await remote(server, { batchSize: 5, concurrency: 1 });
    const embedded: string[] = [];
    const error = await embedChunksRemote(chunks, embedder, { onEmbedded: (c) => void embedded.push(c.name), onFailed: () => {} }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(IndexMismatchError);
    expect(embedded).toHaveLength(10);
    expect(server.requests).toHaveLength(4);
  });

  it("a vector holding NaN or Infinity fails only its own chunk, after the batch is split; local embedders likewise", async () => {
    const inner = fakeEmbedder({ dimension: 16 });
    const spoil = (texts: readonly string[], vectors: Float32Array[]) =>
      vectors.map((v, i) => (texts[i] === poisonText ? v.map((x, j) => (j === 0 ? Infinity : j === 1 ? NaN : x)) : v));
    const remoteEmbedder = { ...inner, remote: { maxItems: 8, maxTokens: 100_000, concurrency: 2 }, embed: async (texts: readonly string[]) => spoil(texts, await inner.embed(texts)) };
    const localEmbedder = { ...inner, embed: async (texts: readonly string[]) => spoil(texts, await inner.embed(texts)) };
    for (const embedder of [remoteEmbedder, localEmbedder]) {
      const embedded: string[] = [];
      const failed = new Map<string, string>();
      await embedChunksWith(chunks, embedder, {
        batchSize: 8,
        onEmbedded: (c, v) => {
          expect(v.every(Number.isFinite)).toBe(true);
          embedded.push(c.name);
        },
        onFailed: (c, e) => void failed.set(c.name, (e as Error).message),
      });
      expect([...failed]).toEqual([[chunks[17]!.name, expect.stringMatching(/returned a vector holding NaN or Infinity$/)]]);
      expect(embedded).toHaveLength(chunks.length - 1);
    }
  });

  it("embedChunksWith keeps local embedders on the sequential loop", async () => {
    const local = fakeEmbedder({ poisoned: (t) => t === poisonText });
    let failures = 0;
    await embedChunksWith(chunks.slice(0, 20), local, { batchSize: 10, onEmbedded: () => {}, onFailed: () => void failures++ });
    expect(local.calls.map((c) => c.length)).toEqual([10, 10, ...Array(10).fill(1)]);
    expect(failures).toBe(1);
  });
});
