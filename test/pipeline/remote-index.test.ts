import { existsSync } from "node:fs";
import { readFile, writeFile } from "node:fs/promises";
import path from "node:path";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { EMBEDDING_CACHE_DIR, EmbeddingCache, type Embedder, type RemoteModelSource } from "../../src/embed/index.js";
import { loadTransformersEmbedder } from "../../src/embed/transformers-embedder.js";
import { IndexMismatchError } from "../../src/model/errors.js";
import { indexRepo, type IndexRepoOptions } from "../../src/pipeline/index-repo.js";
import { openSearchSession } from "../../src/pipeline/search-repo.js";
import { listEntities, openDatabase, readManifest, readManifestRecord } from "../../src/store/index.js";
import { type OpenAIServer, type OpenAIServerOptions, startOpenAIServer } from "../support/openai-server.js";
import { TEST_MODEL_DIR, copyPythonFixtures } from "../support/temp-dirs.js";

let local: Embedder;
beforeAll(async () => {
  local = await loadTransformersEmbedder({ source: { kind: "local", dir: TEST_MODEL_DIR }, cacheDir: "/nonexistent", offline: true });
});
afterAll(async () => {
  await local.dispose();
});

const servers: OpenAIServer[] = [];
afterEach(async () => {
  await Promise.all(servers.splice(0).map((s) => s.close()));
});

/** A loopback server computing vectors with the committed test model (as the local embedder does). */
async function serve(options: Partial<OpenAIServerOptions> = {}): Promise<OpenAIServer> {
  const server = await startOpenAIServer({ embed: (texts) => local.embed(texts), model: "test-model", ...options });
  servers.push(server);
  return server;
}

const sourceOf = (server: OpenAIServer): RemoteModelSource => ({ kind: "openai", baseUrl: server.baseUrl, model: "test-model", apiKeyEnv: "CODESEARCH_TEST_KEY" });
const fast = { retries: 2, batchSize: 7, concurrency: 3 };

function run(repoRoot: string, overrides: Partial<IndexRepoOptions>) {
  return indexRepo({
    repoRoot,
    indexDir: path.join(repoRoot, ".codesearch"),
    cwd: repoRoot,
    modelCacheDir: "/nonexistent-model-cache",
    offline: true,
    sink: () => {},
    ...overrides,
  });
}

const stored = async (repo: string) => listEntities(await openDatabase(path.join(repo, ".codesearch")));
const keyOf = (c: { path: string; startLine: number; qualifiedName: string; contentHash: string }) => `${c.path}:${c.startLine} ${c.qualifiedName} ${c.contentHash}`;

describe("indexRepo with --embedder openai against a loopback server running the test model", () => {
  it("stores the same entities as the local embedder and records the endpoint, never a key", async () => {
    const [localRepo, remoteRepo] = [await copyPythonFixtures(), await copyPythonFixtures()];
    await run(localRepo, { model: TEST_MODEL_DIR });
    const server = await serve();
    const summary = await run(remoteRepo, { source: sourceOf(server), remote: fast });
    expect(summary.modelId).toBe(`openai:${new URL(server.baseUrl).host}/test-model`);
    expect(summary.failures).toEqual([]);
    expect((await stored(remoteRepo)).map(keyOf)).toEqual((await stored(localRepo)).map(keyOf));

    const manifest = await readManifest(path.join(remoteRepo, ".codesearch"));
    expect(manifest).toMatchObject({ modelId: summary.modelId, dimension: 768, embedder: { provider: "openai", baseUrl: server.baseUrl, model: "test-model", apiKeyEnv: "CODESEARCH_TEST_KEY" } });

    // Search embeds the query through the recorded endpoint and ranks as the local index does.
    const session = await openSearchSession({ cwd: remoteRepo, repoRoot: remoteRepo, modelCacheDir: "/nonexistent", offline: true });
    const hits = await session.search("retry a request when the connection resets", { limit: 3, mode: "vector", filters: {} });
    await session.close();
    expect(hits[0]!.chunk.qualifiedName).toBe("retry_request");
    expect(server.requests.at(-1)!.inputs).toEqual(["retry a request when the connection resets"]);
  });

  it("a poisoned entity alone fails with the server's message; everything else is stored", async () => {
    const repo = await copyPythonFixtures();
    const server = await serve({ fault: (_n, inputs) => (inputs.some((t) => t.startsWith("backoff_delay")) ? { kind: "status", status: 422, message: "cannot embed this one" } : undefined) });
    const summary = await run(repo, { source: sourceOf(server), remote: fast });
    expect(summary.failures.map((f) => [f.path, f.qualifiedName, f.stage, f.message])).toEqual([
      ["shop/net/retry.py", "backoff_delay", "embed", `HTTP 422 from ${server.baseUrl}/embeddings: cannot embed this one`],
    ]);
    expect(summary.chunksStored).toBe(summary.entitiesFound - 1);
    expect((await stored(repo)).some((c) => c.qualifiedName === "backoff_delay")).toBe(false);
  });

  it("a server answering with another dimension mid-run fails before anything is written; valid vectors stay cached", async () => {
    const repo = await copyPythonFixtures();
    const server = await serve({ fault: (n) => (n === 3 ? { kind: "wrong-dimension", dimension: 384 } : undefined) });
    const error = await run(repo, { source: sourceOf(server), remote: { ...fast, concurrency: 1 } }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(IndexMismatchError);
    expect((error as Error).message).toContain("returned a 384-d vector, but the index holds 768-d vectors");
    // Only the manifest the run wrote when it started (its model, for resuming) is there.
    expect(await readManifestRecord(path.join(repo, ".codesearch"))).toMatchObject({ state: "started", manifest: { modelId: expect.stringContaining("openai:") } });
    expect(existsSync(path.join(repo, ".codesearch", "entities.lance"))).toBe(false);
    const { cache } = await EmbeddingCache.open(path.join(repo, ".codesearch", EMBEDDING_CACHE_DIR));
    expect(cache.size).toBe(7); // the one batch before the bad answer
    cache.close();
  });

  it("refuses a server that now answers with another dimension before sending any entity", async () => {
    const repo = await copyPythonFixtures();
    let width = 768;
    const server = await serve({ embed: async (texts) => (await local.embed(texts)).map((v) => v.slice(0, width)) });
    await run(repo, { source: sourceOf(server), remote: fast });
    const before = (await stored(repo)).length;
    width = 384;
    await writeFile(path.join(repo, "shop", "extra.py"), "def brand_new_helper():\n    return 42\n");
    const requestsBefore = server.requests.length;
    const error = await run(repo, { source: sourceOf(server), remote: fast }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(IndexMismatchError);
    expect((error as Error).message).toContain("the index holds 768-d vectors but model openai:");
    expect(server.requests.slice(requestsBefore).map((r) => r.inputs)).toEqual([["def probe(): pass"]]);
    expect((await stored(repo)).length).toBe(before);
  });

  it("re-running without --embedder reuses the recorded endpoint; local and remote vectors never share cache keys", async () => {
    const repo = await copyPythonFixtures();
    await run(repo, { model: TEST_MODEL_DIR });
    const server = await serve();
    const remote = await run(repo, { source: sourceOf(server), rebuild: true, remote: fast });
    expect(remote.chunksFromCache).toBe(0);
    expect(remote.chunksEmbedded).toBe(remote.chunksStored);
    const requestsBefore = server.requests.length;
    await writeFile(path.join(repo, "shop", "cart.py"), `\n${await readFile(path.join(repo, "shop", "cart.py"), "utf8")}`); // moved code: cache hits
    const again = await run(repo, {});
    expect(again.modelId).toBe(remote.modelId);
    expect(again.chunksEmbedded).toBe(0);
    expect(again.chunksFromCache).toBeGreaterThan(0);
    expect(server.requests.length).toBe(requestsBefore); // every vector cached: the service is not even probed
    // --embedder local never falls back to the recorded endpoint: the default local model is asked for, and refused.
    await expect(run(repo, { localOnly: true })).rejects.toThrow(/built with model openai:.*, not onnx-community\/codebert-base-ONNX/);
  });
});
