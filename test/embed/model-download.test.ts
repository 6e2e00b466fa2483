import { existsSync } from "node:fs";
import { readFile } from "node:fs/promises";
import path from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { loadTransformersEmbedder } from "../../src/embed/transformers-embedder.js";
import { ModelLoadError } from "../../src/model/errors.js";
import { type HubServer, startHubServer } from "../support/hub-server.js";
import { TEST_MODEL_DIR, makeTempDir } from "../support/temp-dirs.js";

const REPO_ID = "test-org/tiny-code-model";
let hub: HubServer | undefined;
afterEach(async () => {
  await hub?.close();
  hub = undefined;
});

describe("downloading a hub model (loopback server in the hub's URL layout)", () => {
  it("downloads on first use into the per-user cache, then loads offline from it", async () => {
    hub = await startHubServer(REPO_ID, TEST_MODEL_DIR);
    const cacheDir = await makeTempDir();
    const online = await loadTransformersEmbedder({ source: { kind: "hub", id: REPO_ID }, cacheDir, offline: false, endpoint: hub.endpoint });
    const [vector] = await online.embed(["open a socket"]);
    await online.dispose();
    expect(online.modelId).toBe(REPO_ID);
    expect(online.dimension).toBe(768);
    expect(hub.requests).toEqual(
      expect.arrayContaining([
        `/${REPO_ID}/resolve/main/config.json`,
        `/${REPO_ID}/resolve/main/tokenizer.json`,
        `/${REPO_ID}/resolve/main/tokenizer_config.json`,
        `/${REPO_ID}/resolve/main/onnx/model_quantized.onnx`,
      ]),
    );
    const cached = path.join(cacheDir, REPO_ID, "onnx", "model_quantized.onnx");
    expect(existsSync(cached)).toBe(true);
    expect(Buffer.compare(await readFile(cached), await readFile(path.join(TEST_MODEL_DIR, "onnx", "model_quantized.onnx")))).toBe(0);

    const requestsBefore = hub.requests.length;
    const offline = await loadTransformersEmbedder({ source: { kind: "hub", id: REPO_ID }, cacheDir, offline: true });
    const [again] = await offline.embed(["open a socket"]);
    await offline.dispose();
    expect(hub.requests.length).toBe(requestsBefore);
    expect(Array.from(again!)).toEqual(Array.from(vector!));
  });

  it("reuses the cache without network when online too", async () => {
    hub = await startHubServer(REPO_ID, TEST_MODEL_DIR);
    const cacheDir = await makeTempDir();
    await (await loadTransformersEmbedder({ source: { kind: "hub", id: REPO_ID }, cacheDir, offline: false, endpoint: hub.endpoint })).dispose();
    const count = hub.requests.length;
    await (await loadTransformersEmbedder({ source: { kind: "hub", id: REPO_ID }, cacheDir, offline: false, endpoint: hub.endpoint })).dispose();
    expect(hub.requests.length).toBe(count);
  });

  it("offline with an empty cache fails naming every missing file, without any request", async () => {
    hub = await startHubServer(REPO_ID, TEST_MODEL_DIR);
    const cacheDir = await makeTempDir();
    const error = await loadTransformersEmbedder({ source: { kind: "hub", id: REPO_ID }, cacheDir, offline: true, endpoint: hub.endpoint }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ModelLoadError);
    expect((error as ModelLoadError).missingFiles).toEqual(["config.json", "tokenizer.json", "tokenizer_config.json", "onnx/model_quantized.onnx"]);
    expect(hub.requests).toEqual([]);
  });

  it("a repository the hub does not have is a ModelLoadError naming the model", async () => {
    hub = await startHubServer(REPO_ID, TEST_MODEL_DIR);
    const error = await loadTransformersEmbedder({ source: { kind: "hub", id: "nobody/missing" }, cacheDir: await makeTempDir(), offline: false, endpoint: hub.endpoint }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ModelLoadError);
    expect((error as Error).message).toContain("could not load model nobody/missing");
    expect((error as ModelLoadError).missingFiles).toContain("onnx/model_quantized.onnx");
  });

  it("a dead endpoint is a ModelLoadError, not a crash", async () => {
    hub = await startHubServer(REPO_ID, TEST_MODEL_DIR);
    const deadEndpoint = hub.endpoint;
    await hub.close();
    hub = undefined;
    const error = await loadTransformersEmbedder({ source: { kind: "hub", id: REPO_ID }, cacheDir: await makeTempDir(), offline: false, endpoint: deadEndpoint }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ModelLoadError);
    expect((error as Error).message).toMatch(/could not load model test-org\/tiny-code-model: .*(fetch failed|ECONNREFUSED)/);
  });
});
