import { afterEach, describe, expect, it } from "vitest";
import { EmbeddingRequestError, parseRetryAfter } from "../../src/embed/embeddings-request.js";
import { type OpenAIEmbedderOptions, loadOpenAIEmbedder } from "../../src/embed/openai-embedder.js";
import { loadTransformersEmbedder } from "../../src/embed/transformers-embedder.js";
import { describeError, EmbeddingServiceError, IndexMismatchError } from "../../src/model/errors.js";
import { hashVector } from "../support/fake-embedders.js";
import { type Fault, type OpenAIServer, type OpenAIServerOptions, startOpenAIServer } from "../support/openai-server.js";
import { TEST_MODEL_DIR } from "../support/temp-dirs.js";

const servers: OpenAIServer[] = [];
afterEach(async () => {
  await Promise.all(servers.splice(0).map((s) => s.close()));
});

async function serve(options: Partial<OpenAIServerOptions> = {}): Promise<OpenAIServer> {
  const server = await startOpenAIServer({ embed: async (texts) => texts.map((t) => hashVector(t, 16)), ...options });
  servers.push(server);
  return server;
}

/** Fast retries (1–5 ms backoff) and a recorder for the waits that Retry-After asks for. */
function load(server: OpenAIServer, options: Partial<OpenAIEmbedderOptions> = {}) {
  const waits: number[] = [];
  const embedder = loadOpenAIEmbedder({
    baseUrl: server.baseUrl,
    model: "test-model",
    apiKey: undefined,
    retries: 3,
    retryMinDelayMs: 1,
    retryMaxDelayMs: 5,
    requestTimeoutMs: 5_000,
    sleep: async (ms) => void waits.push(ms),
    ...options,
  });
  return { embedder, waits };
}

/** Faults for requests carrying `text`, one per such request in order, then none. */
function faultsFor(text: string, faults: Fault[]): (n: number, inputs: string[]) => Fault | undefined {
  return (_n, inputs) => (inputs.includes(text) ? faults.shift() : undefined);
}

describe("loadOpenAIEmbedder against a loopback OpenAI-compatible server", () => {
  it("probes the dimension, records openai:<host>/<model>, and returns vectors in input order even when the server shuffles them", async () => {
    const server = await serve({ fault: faultsFor("b", [{ kind: "shuffled" }]) });
    const embedder = await load(server).embedder;
    expect(embedder.modelId).toBe(`openai:${new URL(server.baseUrl).host}/test-model`);
    expect(embedder.dimension).toBe(16);
    expect(embedder.remote).toEqual({ maxItems: 100, maxTokens: 100_000, concurrency: 4 });
    const vectors = await embedder.embed(["a", "b", "c"]);
    expect(vectors.map((v) => Array.from(v))).toEqual(["a", "b", "c"].map((t) => Array.from(hashVector(t, 16))));
    expect(server.requests.map((r) => [r.inputs, r.model, r.fault])).toEqual([
      [["def probe(): pass"], "test-model", undefined],
      [["a", "b", "c"], "test-model", "shuffled"],
    ]);
  });

  it("gives the same vectors as the local embedder when the server runs the same test model", async () => {
    const local = await loadTransformersEmbedder({ source: { kind: "local", dir: TEST_MODEL_DIR }, cacheDir: "/nonexistent", offline: true });
    const server = await serve({ embed: (texts) => local.embed(texts) });
    const remote = await load(server).embedder;
    const texts = ["def retry_request(send, request):", "class Cart:\n    def total(self): ..."];
    const [expected, actual] = [await local.embed(texts), await remote.embed(texts)];
    expect(remote.dimension).toBe(768);
    for (let i = 0; i < texts.length; i++) {
      for (let d = 0; d < 768; d++) expect(actual[i]![d]).toBeCloseTo(expected[i]![d]!, 6);
    }
    await local.dispose();
  });

  it("retries 500s, timeouts, malformed bodies and cut-short responses until the request succeeds", async () => {
    const faults: Fault[] = [{ kind: "status", status: 500 }, { kind: "hang" }, { kind: "malformed" }, { kind: "missing-item" }];
    const server = await serve({ fault: faultsFor("x", faults) });
    const embedder = await load(server, { retries: 4, requestTimeoutMs: 300 }).embedder;
    const [vector] = await embedder.embed(["x"]);
    expect(Array.from(vector!)).toEqual(Array.from(hashVector("x", 16)));
    expect(server.requests.slice(1).map((r) => r.fault)).toEqual(["status", "hang", "malformed", "missing-item", undefined]);
  });

  it("waits what Retry-After (seconds) and retry-after-ms ask for on 429 and 503 before retrying", async () => {
    const server = await serve({
      fault: faultsFor("x", [
        { kind: "status", status: 429, headers: { "retry-after": "2" } },
        { kind: "status", status: 503, headers: { "retry-after-ms": "250" } },
        { kind: "status", status: 500, headers: { "retry-after": "9" } },
      ]),
    });
    const { embedder, waits } = load(server);
    await (await embedder).embed(["x"]);
    // The 500's Retry-After is not a rate-limit signal: only the backoff applies to it.
    expect(waits).toEqual([2000, 250]);
    expect(server.requests).toHaveLength(5);
  });

  it("caps a huge Retry-After at maxRetryAfterMs", async () => {
    const server = await serve({ fault: faultsFor("x", [{ kind: "status", status: 429, headers: { "retry-after": "86400" } }]) });
    const { embedder, waits } = load(server, { maxRetryAfterMs: 1234 });
    await (await embedder).embed(["x"]);
    expect(waits).toEqual([1234]);
  });

  it("gives up after `retries` retries with the server's message, and never retries a 400", async () => {
    const server = await serve({
      fault: (_n, inputs) =>
        inputs.includes("down") ? { kind: "status", status: 502, message: "bad gateway today" } : inputs.includes("bad") ? { kind: "status", status: 400, message: "input too long" } : undefined,
    });
    const embedder = await load(server, { retries: 2 }).embedder;
    const down = await embedder.embed(["down"]).catch((e: unknown) => e);
    expect(down).toBeInstanceOf(EmbeddingRequestError);
    expect((down as Error).message).toBe(`HTTP 502 from ${server.baseUrl}/embeddings: bad gateway today`);
    expect(server.requests.filter((r) => r.inputs.includes("down"))).toHaveLength(3);

    const bad = await embedder.embed(["bad"]).catch((e: unknown) => e);
    expect(bad).toMatchObject({ status: 400, retryable: false, message: expect.stringContaining("input too long") });
    expect(server.requests.filter((r) => r.inputs.includes("bad"))).toHaveLength(1);
  });

  it("a response of another dimension is an IndexMismatchError at once, not a retry", async () => {
    const server = await serve({ fault: faultsFor("x", [{ kind: "wrong-dimension", dimension: 8 }]) });
    const embedder = await load(server).embedder;
    const error = await embedder.embed(["x"]).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(IndexMismatchError);
    expect((error as Error).message).toContain("returned a 8-d vector, but the index holds 16-d vectors");
    expect(server.requests).toHaveLength(2);
  });

  it("a refused API key fails at load with EmbeddingServiceError, and the key appears nowhere in it", async () => {
    const key = "sk-test-SECRET-0123456789";
    const server = await serve({ apiKey: "sk-the-right-one" });
    const error = await load(server, { apiKey: key }).embedder.catch((e: unknown) => e);
    expect(error).toBeInstanceOf(EmbeddingServiceError);
    expect(server.requests[0]!.authorization).toBe(`Bearer ${key}`); // the server echoed it back in its 401 body
    const shown = `${describeError(error)} ${(error as Error).stack ?? ""} ${JSON.stringify(error)}`;
    expect(shown).toContain("HTTP 401");
    expect(shown).toContain("[redacted]");
    expect(shown).not.toContain(key);
    expect(server.requests).toHaveLength(1);
  });

  it("an unknown model (404) and an unreachable server are EmbeddingServiceErrors", async () => {
    const server = await serve({ model: "served-model" });
    await expect(load(server).embedder).rejects.toThrow(/HTTP 404 .*model test-model not found.*check --base-url and --model/);
    const gone = await serve();
    await gone.close();
    servers.splice(servers.indexOf(gone), 1);
    const error = await load(gone, { retries: 1 }).embedder.catch((e: unknown) => e);
    expect(error).toBeInstanceOf(EmbeddingServiceError);
    expect((error as Error).message).toMatch(/unreachable: request to .* failed: ECONNREFUSED/);
  });

  it("cuts texts to maxTokens estimated tokens and refuses empty texts without a request", async () => {
    const server = await serve();
    const embedder = await load(server, { maxTokens: 2 }).embedder;
    await embedder.embed(["abcdefghijkl"]);
    expect(server.requests.at(-1)!.inputs).toEqual(["abcdefgh"]);
    await expect(embedder.embed(["  "])).rejects.toMatchObject({ retryable: false, message: "cannot embed an empty text" });
    expect(server.requests).toHaveLength(2);
  });
});

describe("parseRetryAfter", () => {
  const now = Date.parse("2026-01-01T00:00:00Z");
  it.each([
    [{ "retry-after": "3" }, 3000],
    [{ "retry-after": "0.5" }, 500],
    [{ "retry-after-ms": "120", "retry-after": "3" }, 120],
    [{ "retry-after": "Thu, 01 Jan 2026 00:00:05 GMT" }, 5000],
    [{ "retry-after": "Wed, 31 Dec 2025 00:00:00 GMT" }, 0],
    [{ "retry-after": "soon" }, undefined],
    [{}, undefined],
  ])("%j → %s ms", (headers, expected) => {
    expect(parseRetryAfter(new Headers(headers as Record<string, string>), now)).toBe(expected);
  });
});
