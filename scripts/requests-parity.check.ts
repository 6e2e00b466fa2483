// The python3-requests parity check driven by scripts/requests-parity.sh: the same entity set and
// vectors from the local embedder and from --embedder openai through a faulty loopback server.
import { writeFile } from "node:fs/promises";
import path from "node:path";
import { afterAll, beforeAll, expect, it } from "vitest";
import type { Embedder } from "../src/embed/index.js";
import { loadTransformersEmbedder } from "../src/embed/transformers-embedder.js";
import { ENTITY_TABLE, listEntities, openDatabase } from "../src/store/index.js";
import { type Fault, type OpenAIServer, startOpenAIServer } from "../test/support/openai-server.js";
import { runCli } from "../test/support/run-cli.js";
import { TEST_MODEL_DIR, makeTempDir } from "../test/support/temp-dirs.js";

const source = process.env.CODESEARCH_PARITY_SRC;
const reportFile = process.env.CODESEARCH_PARITY_REPORT;
let local: Embedder;
let server: OpenAIServer;

/** Transient faults on some requests: a 500, a 429 asking for 1 s, a hang past the timeout, a malformed body. */
const FAULTS: Record<number, Fault> = {
  2: { kind: "status", status: 500 },
  4: { kind: "status", status: 429, headers: { "retry-after": "1" } },
  6: { kind: "hang" },
  9: { kind: "malformed" },
};

beforeAll(async () => {
  local = await loadTransformersEmbedder({ source: { kind: "local", dir: TEST_MODEL_DIR }, cacheDir: "/nonexistent", offline: true });
  server = await startOpenAIServer({ embed: (texts) => local.embed(texts), model: "test-model", fault: (n) => FAULTS[n] });
});
afterAll(async () => {
  await server?.close();
  await local?.dispose();
});

async function vectorsOf(dbDir: string): Promise<Map<string, number[]>> {
  const db = await openDatabase(dbDir);
  const rows = (await (await db.openTable(ENTITY_TABLE)).query().select(["id", "vector"]).toArray()) as { id: string; vector: Iterable<number> }[];
  db.close();
  return new Map(rows.map((r) => [r.id, Array.from(r.vector)]));
}

it("python3-requests: --embedder openai stores the same entities and vectors as the local embedder", async () => {
  if (!source || !reportFile) throw new Error("run scripts/requests-parity.sh, which sets CODESEARCH_PARITY_SRC and CODESEARCH_PARITY_REPORT");
  const work = await makeTempDir();
  const [localDb, remoteDb] = [path.join(work, "local"), path.join(work, "remote")];
  const localRun = await runCli(["index", source, "--db", localDb, "--model", TEST_MODEL_DIR, "--json"], { cwd: work });
  const remoteArgs = ["--embedder", "openai", "--base-url", server.baseUrl, "--model", "test-model", "--batch-size", "16", "--concurrency", "4", "--request-timeout", "2"];
  const remoteRun = await runCli(["index", source, "--db", remoteDb, ...remoteArgs, "--json"], { cwd: work });
  expect([localRun.code, remoteRun.code, localRun.stderr, remoteRun.stderr]).toEqual([0, 0, "", ""]);

  const key = (c: { id: string; endLine: number; kind: string; contentHash: string }) => `${c.id} ${c.endLine} ${c.kind} ${c.contentHash}`;
  const [localEntities, remoteEntities] = [(await listEntities(await openDatabase(localDb))).map(key), (await listEntities(await openDatabase(remoteDb))).map(key)];
  const [localVectors, remoteVectors] = [await vectorsOf(localDb), await vectorsOf(remoteDb)];
  let maxDiff = 0;
  let minCosine = 1;
  for (const [id, a] of localVectors) {
    const b = remoteVectors.get(id) ?? [];
    minCosine = Math.min(minCosine, a.reduce((sum, v, i) => sum + v * (b[i] ?? 0), 0));
    a.forEach((v, i) => (maxDiff = Math.max(maxDiff, Math.abs(v - (b[i] ?? Number.NaN)))));
  }
  const queries = ["send a request with a retry adapter", "parse the content type header", "merge session settings with request settings"];
  const sameTopFive: boolean[] = [];
  for (const query of queries) {
    const top = async (db: string) => (JSON.parse((await runCli(["search", query, "--db", db, "--json", "-n", "5"], { cwd: work })).stdout) as { results: { qualname: string }[] }).results.map((r) => r.qualname);
    sameTopFive.push(JSON.stringify(await top(localDb)) === JSON.stringify(await top(remoteDb)));
  }
  const faulted = server.requests.filter((r) => r.fault).map((r) => r.fault);
  await writeFile(
    reportFile,
    [
      `entities: local ${localEntities.length}, remote ${remoteEntities.length}, identical sets (id, lines, kind, text hash): ${JSON.stringify(localEntities) === JSON.stringify(remoteEntities)}`,
      `vectors: ${localVectors.size} compared, max |local - remote| per component ${maxDiff.toExponential(2)}, min cosine ${minCosine.toFixed(7)}`,
      `requests to the loopback server: ${server.requests.length} (probe included), faults injected and retried: ${faulted.join(", ")}`,
      `search top-5 identical for ${sameTopFive.filter(Boolean).length} of ${queries.length} queries`,
      "",
    ].join("\n"),
  );
  expect(remoteEntities).toEqual(localEntities);
  expect(remoteVectors.size).toBe(localVectors.size);
  expect(maxDiff).toBeLessThan(1e-6);
  expect(faulted).toEqual(["status", "status", "hang", "malformed"]);
  expect(sameTopFive).toEqual([true, true, true]);
});
