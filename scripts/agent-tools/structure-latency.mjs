// Issue 21's latency figures: the structural MCP tools (symbols, references, outline of a file,
// outline of the repository at 8,000 tokens, related) through the SDK's own Client over stdio, warm,
// on an indexed repository; and what reference extraction costs at index time (extraction time
// against entity extraction, and the catalog's size with and without the reference records).
// Prints one JSON object and a markdown table. Owns the server process it starts; writes nothing.
import { readFileSync, readdirSync, statSync } from "node:fs";
import path from "node:path";
import { performance } from "node:perf_hooks";
import { setTimeout as sleep } from "node:timers/promises";
import { parseArgs } from "node:util";
import { Client } from "@modelcontextprotocol/sdk/client/index.js";
import { StdioClientTransport } from "@modelcontextprotocol/sdk/client/stdio.js";
import { CLI, distModule } from "../bench/bench-config.mjs";
import { percentile, round, seededRandom } from "../bench/stats.mjs";

const USAGE = `usage: node scripts/agent-tools/structure-latency.mjs --repo <indexed repo> [--calls 200] [--seed 21] [--latency-only] [--skip-related]
Measures each structural tool over --calls warm calls (arguments sampled from the index's own
definitions, seeded), client-side round trip, p50/p95 in ms; and reference extraction's cost on the
repository's files (left out with --latency-only). The repository must already be indexed (\`codesearch index\`).
--skip-related leaves out \`related\` and the wait for the resident vectors it needs.
Prints also the server's first structural call (the per-version structure read) as firstCallMs.`;

const { values } = parseArgs({ options: { repo: { type: "string" }, calls: { type: "string", default: "200" }, seed: { type: "string", default: "21" }, "latency-only": { type: "boolean" }, "skip-related": { type: "boolean" }, help: { type: "boolean" } } });
if (values.help || !values.repo) {
  process.stdout.write(`${USAGE}\n`);
  process.exit(values.help ? 0 : 2);
}
const repo = path.resolve(values.repo);
const calls = Number(values.calls);
const random = seededRandom(Number(values.seed));
const pick = (list) => list[Math.floor(random() * list.length)];

const transport = new StdioClientTransport({ command: process.execPath, args: [CLI, "mcp", repo], cwd: repo, env: { ...process.env, CI: "1" }, stderr: "ignore" });
const client = new Client({ name: "structure-latency", version: "0" });
await client.connect(transport);
const call = async (name, args) => {
  // The first structural call reads the whole structure: at 100,000 entities on a loaded machine, past the SDK's 60 s default.
  const answer = await client.callTool({ name, arguments: args }, undefined, { timeout: 600_000 });
  if (answer.isError) throw new Error(`${name} ${JSON.stringify(args)}: ${answer.content[0].text}`);
  return answer;
};

// The arguments are drawn from the index's own definitions, read in process (the server pages a
// repository outline only up to its cursor offset limit); timed, as the server's first structural call is.
const { openSearchSession, withStructure } = await distModule("pipeline/index.js");
const readStarted = performance.now();
const local = await openSearchSession({ cwd: repo, modelCacheDir: "/nonexistent-model-cache", offline: true });
const all = await withStructure(local, (structure) =>
  structure.entities.filter((entity) => !entity.isTest).map((entity) => ({ id: entity.id, name: entity.name, file: entity.path, kind: entity.kind, depth: entity.parentQualifiedName === null ? 0 : 1 })),
);
const structureReadMs = performance.now() - readStarted;
await local.close();

// Warm: the structure (first structural call), the resident table (read after the first search).
const firstStarted = performance.now();
const map = (await call("outline", { path: "", max_tokens: 8000 })).structuredContent;
const firstCallMs = performance.now() - firstStarted;
process.stderr.write(`structure read in process ${round(structureReadMs)} ms; first structural call ${round(firstCallMs)} ms\n`);
await call("search", { query: "read the file", mode: "lexical" });
// `related` needs the resident vectors; --skip-related measures the other tools without waiting for them.
for (let i = 0; i < (values["skip-related"] ? 0 : 600); i++) {
  const status = (await call("status", {})).structuredContent;
  if (status.server.residentEntities !== null) break;
  await sleep(100);
}
const functions = all.filter((d) => d.depth === 0 && d.kind === "function");
const files = [...new Set(all.map((d) => d.file))];
const cases = {
  symbols: () => ({ query: pick(all).name }),
  references: () => ({ target: pick(functions).id }),
  "outline (file)": () => ({ path: pick(files) }),
  "outline (repository, 8k tokens)": () => ({ path: "", max_tokens: 8000 }),
  related: () => ({ target: pick(all).id }),
};
if (values["skip-related"]) delete cases.related;
const tools = { symbols: "symbols", references: "references", "outline (file)": "outline", "outline (repository, 8k tokens)": "outline", related: "related" };
const latency = {};
for (const [label, args] of Object.entries(cases)) {
  for (let i = 0; i < 5; i++) await call(tools[label], args());
  const samples = [];
  for (let i = 0; i < calls; i++) {
    const started = performance.now();
    await call(tools[label], args());
    samples.push(performance.now() - started);
  }
  latency[label] = { p50: round(percentile(samples, 50), 2), p95: round(percentile(samples, 95), 2) };
  process.stderr.write(`${label}: p50 ${latency[label].p50} ms, p95 ${latency[label].p95} ms\n`);
}
await client.close();
if (values["latency-only"]) {
  process.stdout.write(`${JSON.stringify({ repo, entities: map.total, files: files.length, calls, structureReadMs: round(structureReadMs), firstCallMs: round(firstCallMs), latencyMs: latency }, null, 2)}\n\n| tool | p50 ms | p95 ms |\n|---|---|---|\n`);
  for (const [label, { p50, p95 }] of Object.entries(latency)) process.stdout.write(`| ${label} | ${p50} | ${p95} |\n`);
  process.exit(0);
}

// Index-time cost: reference extraction beside entity extraction, over every source file of a
// registered language (by extension), in process.
const { extractEntities, extractReferences } = await distModule("extract/index.js");
const { isSourcePath } = await distModule("lang/index.js");
const sources = [];
const walk = (dir) => {
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    if (entry.name === ".codesearch") continue;
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) walk(full);
    else if (isSourcePath(entry.name)) sources.push([path.relative(repo, full), readFileSync(full, "utf8")]);
  }
};
walk(repo);
const time = async (extract) => {
  const started = performance.now();
  for (const [file, text] of sources) await extract(file, text);
  return performance.now() - started;
};
await time(extractEntities);
const entitiesMs = await time(extractEntities);
const referencesMs = await time((file, text) => extractReferences(file, text));
const catalog = JSON.parse(readFileSync(path.join(repo, ".codesearch", "catalog.json"), "utf8"));
const withReferences = JSON.stringify(catalog).length;
for (const entry of Object.values(catalog.files)) delete entry.references;
const withoutReferences = JSON.stringify(catalog).length;
const folderBytes = (dir) => readdirSync(dir, { withFileTypes: true }).reduce((sum, e) => sum + (e.isDirectory() ? folderBytes(path.join(dir, e.name)) : statSync(path.join(dir, e.name)).size), 0);
const indexBytes = folderBytes(path.join(repo, ".codesearch"));

const result = {
  repo,
  entities: map.total,
  files: files.length,
  calls,
  structureReadMs: round(structureReadMs),
  firstCallMs: round(firstCallMs),
  latencyMs: latency,
  extraction: { files: sources.length, entitiesMs: round(entitiesMs), referencesMs: round(referencesMs) },
  catalogBytes: { withReferences, withoutReferences },
  indexBytes,
};
process.stdout.write(`${JSON.stringify(result, null, 2)}\n\n| tool | p50 ms | p95 ms |\n|---|---|---|\n`);
for (const [label, { p50, p95 }] of Object.entries(latency)) process.stdout.write(`| ${label} | ${p50} | ${p95} |\n`);
