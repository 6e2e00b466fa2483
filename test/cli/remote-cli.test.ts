import { existsSync } from "node:fs";
import { readdir, readFile } from "node:fs/promises";
import path from "node:path";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import type { Embedder } from "../../src/embed/index.js";
import { loadTransformersEmbedder } from "../../src/embed/transformers-embedder.js";
import { type OpenAIServer, startOpenAIServer } from "../support/openai-server.js";
import { runCli } from "../support/run-cli.js";
import { TEST_MODEL_DIR, copyPythonFixtures } from "../support/temp-dirs.js";

const API_KEY = "sk-codesearch-test-9f8e7d6c5b4a";

let local: Embedder;
let server: OpenAIServer;
beforeAll(async () => {
  local = await loadTransformersEmbedder({ source: { kind: "local", dir: TEST_MODEL_DIR }, cacheDir: "/nonexistent", offline: true });
});
afterAll(async () => {
  await local.dispose();
});
afterEach(async () => {
  await server.close();
});

async function serve(): Promise<OpenAIServer> {
  server = await startOpenAIServer({ embed: (texts) => local.embed(texts), model: "test-model", apiKey: API_KEY });
  return server;
}

/** Every file under `dir`, as text. */
async function allText(dir: string): Promise<string> {
  const names = await readdir(dir, { recursive: true, withFileTypes: true });
  const files = names.filter((d) => d.isFile()).map((d) => path.join(d.parentPath, d.name));
  return (await Promise.all(files.map((f) => readFile(f, "latin1")))).join("\n");
}

describe("codesearch --embedder openai (built CLI) against a loopback server", () => {
  it("indexes and searches through the server with the key from OPENAI_API_KEY, which appears in no output or index file", async () => {
    const repo = await copyPythonFixtures();
    const { baseUrl } = await serve();
    const env = { OPENAI_API_KEY: API_KEY };
    const index = await runCli(["index", "--embedder", "openai", "--base-url", baseUrl, "--model", "test-model", "--json", "--concurrency", "2"], { cwd: repo, env });
    expect(index.stderr).toBe("");
    expect(index.code).toBe(0);
    const finished = JSON.parse(index.stdout.trim().split("\n").at(-1)!) as { type: string; summary: { modelId: string; chunksStored: number } };
    expect(finished).toMatchObject({ type: "index-finished", summary: { modelId: `openai:${new URL(baseUrl).host}/test-model` } });
    expect(server.requests.every((r) => r.authorization === `Bearer ${API_KEY}`)).toBe(true);

    const search = await runCli(["search", "retry a request when the connection resets", "--json", "-n", "3"], { cwd: repo, env });
    expect(search.code).toBe(0);
    expect((JSON.parse(search.stdout) as { results: { qualname: string }[] }).results[0]!.qualname).toBe("retry_request");

    const plain = await runCli(["index", "--verbose", "--plain"], { cwd: repo, env });
    expect(plain.code).toBe(0);
    for (const output of [index.stdout, index.stderr, search.stdout, search.stderr, plain.stdout, plain.stderr, await allText(path.join(repo, ".codesearch"))]) {
      expect(output).not.toContain(API_KEY);
    }
  });

  it("a refused key exits 8 before anything is written, and the message (echoing the key server-side) hides it", async () => {
    const repo = await copyPythonFixtures();
    const { baseUrl } = await serve();
    const wrongKey = "sk-wrong-key-0000111122223333";
    const result = await runCli(["index", "--embedder", "openai", "--base-url", baseUrl, "--model", "test-model", "--api-key-env", "MY_KEY", "--json"], {
      cwd: repo,
      env: { MY_KEY: wrongKey, OPENAI_API_KEY: "" },
    });
    expect(result.code).toBe(8);
    expect(result.stderr).toMatch(/codesearch: error: the embedding service refused openai:.*HTTP 401 .*Incorrect API key provided: Bearer \[redacted\] \(check the API key/);
    expect(`${result.stdout}${result.stderr}`).not.toContain(wrongKey);
    expect(server.requests.map((r) => r.authorization)).toEqual([`Bearer ${wrongKey}`]);
    // Nothing was stored or cached: no half-made index folder is left behind.
    expect(existsSync(path.join(repo, ".codesearch"))).toBe(false);
  });

  it("--dry-run estimates the tokens and requests to send without a request, a key or a file written", async () => {
    const repo = await copyPythonFixtures();
    const { baseUrl } = await serve();
    const args = ["index", "--dry-run", "--embedder", "openai", "--base-url", baseUrl, "--model", "test-model"];
    const text = await runCli(args, { cwd: repo });
    expect(text.code).toBe(0);
    expect(text.stderr).toMatch(/^entities {2}\d+ found: \d+ to embed, 0 from cache, 0 failed$/m);
    expect(text.stderr).toMatch(/^estimate {2}~[\d,]+ tokens \(~4 characters per token\) in 1 request$/m);
    const json = await runCli([...args, "--json", "--batch-size", "4"], { cwd: repo });
    const summary = (JSON.parse(json.stdout.trim().split("\n").at(-1)!) as { summary: { chunksEmbedded: number; estimate: { batches: number; tokens: number } } }).summary;
    expect(summary.estimate.batches).toBe(Math.ceil(summary.chunksEmbedded / 4));
    expect(summary.estimate.tokens).toBeGreaterThan(summary.chunksEmbedded);
    expect(server.requests).toHaveLength(0);
    expect(existsSync(path.join(repo, ".codesearch"))).toBe(false);
  });

  it.each([
    [["--base-url", "http://127.0.0.1:9/v1"], /--base-url goes with --embedder openai/],
    [["--embedder", "openai"], /--embedder openai needs --model/],
    [["--embedder", "openai", "--model", "m", "--base-url", "ftp://host/v1"], /--base-url must be http:\/\/ or https:\/\//],
    [["--embedder", "openai", "--model", "m", "--base-url", "http://user:pw@127.0.0.1/v1"], /must not contain credentials/],
    [["--embedder", "cloud"], /argument 'cloud' is invalid/],
    [["--concurrency", "0"], /--concurrency must be a positive integer/],
  ])("index %j is a usage error (exit 2)", async (args, message) => {
    const repo = await copyPythonFixtures();
    server = await startOpenAIServer({ embed: (texts) => local.embed(texts) });
    const result = await runCli(["index", ...args], { cwd: repo });
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(message);
    expect(server.requests).toHaveLength(0);
  });
});
