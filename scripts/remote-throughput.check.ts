// Driven by scripts/remote-throughput.sh: the embedding-phase rate of `index --embedder openai`
// against a zero-cost loopback server, for a few concurrency settings.
import { writeFile } from "node:fs/promises";
import path from "node:path";
import { afterAll, beforeAll, expect, it } from "vitest";
import { hashVector } from "../test/support/fake-embedders.js";
import { type OpenAIServer, startOpenAIServer } from "../test/support/openai-server.js";
import { runCli } from "../test/support/run-cli.js";
import { makeTempDir } from "../test/support/temp-dirs.js";

const source = process.env.CODESEARCH_THROUGHPUT_SRC;
const reportFile = process.env.CODESEARCH_THROUGHPUT_REPORT;
let server: OpenAIServer;

beforeAll(async () => {
  server = await startOpenAIServer({ embed: async (texts) => texts.map((t) => hashVector(t, 768)), maxRequests: 100_000 });
});
afterAll(async () => {
  await server?.close();
});

type Event = { type: string; elapsedMs: number; summary?: { chunksEmbedded: number; durationMs: number } };

it("index --embedder openai: entities per second against a zero-cost loopback server", async () => {
  if (!source || !reportFile) throw new Error("run scripts/remote-throughput.sh, which sets CODESEARCH_THROUGHPUT_SRC and CODESEARCH_THROUGHPUT_REPORT");
  const lines: string[] = [`tree: ${source}`];
  for (const [batchSize, concurrency] of [[100, 1], [100, 4], [32, 8]] as const) {
    const work = await makeTempDir();
    const args = ["index", source, "--db", path.join(work, "index"), "--embedder", "openai", "--base-url", server.baseUrl, "--model", "hash-768"];
    const run = await runCli([...args, "--batch-size", String(batchSize), "--concurrency", String(concurrency), "--json"], { cwd: work });
    expect(run.code).toBe(0);
    const events = run.stdout.trim().split("\n").map((l) => JSON.parse(l) as Event);
    const at = (type: string) => events.find((e) => e.type === type)!.elapsedMs;
    const finished = events.at(-1)!.summary!;
    const embedMs = at("store-started") - at("model-loaded");
    lines.push(
      `--batch-size ${batchSize} --concurrency ${concurrency}: ${finished.chunksEmbedded} entities embedded in ${(embedMs / 1000).toFixed(2)} s ` +
        `(${Math.round((finished.chunksEmbedded * 1000) / embedMs)} entities/s); whole run ${(finished.durationMs / 1000).toFixed(2)} s`,
    );
  }
  await writeFile(reportFile, `${lines.join("\n")}\n`);
});
