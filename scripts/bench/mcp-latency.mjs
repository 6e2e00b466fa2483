// Issue 13's figures: the MCP `search` tool through the SDK's own Client over stdio (warm, hybrid
// with vector weight 1, so the query is embedded) at given table sizes, the server's idle RSS after the first and the
// 1,000th search, and the whole `codesearch search --mode lexical` process. Prints one JSON object
// and a markdown table; writes bench-results/mcp-latency.json. Owns the processes and temp folders it makes.
import { spawn } from "node:child_process";
import { mkdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { performance } from "node:perf_hooks";
import { setTimeout as sleep } from "node:timers/promises";
import { parseArgs } from "node:util";
import { Client } from "@modelcontextprotocol/sdk/client/index.js";
import { StdioClientTransport } from "@modelcontextprotocol/sdk/client/stdio.js";
import { CLI, REPO_ROOT, TEST_MODEL_DIR, distModule } from "./bench-config.mjs";
import { runCodesearch } from "./run-process.mjs";
import { buildQueries } from "./search-queries.mjs";
import { median, percentile, round } from "./stats.mjs";
import { readEmbeddedRows, writeBenchManifest, writeSyntheticTable } from "./synthetic-table.mjs";

const USAGE = `usage: node scripts/bench/mcp-latency.mjs --repo <python repo> [--rows 5000,100000] [--calls 200] [--rss-calls 1000] [--cli-runs 10]
Indexes <repo> with the test model (unless it has an index), replicates its rows into synthetic tables of
each size, and measures the MCP search tool (p50/p95 ms over --calls warm hybrid calls) on each, the server's
idle RSS after the first and after --rss-calls searches (smallest size), and the whole
\`codesearch search --mode lexical\` process on <repo> (median of --cli-runs).
--vector-weight <w> is passed to every search (default 1, plain RRF, so the query is embedded);
\`--vector-weight index\` leaves the index's own weight (0 for an uncalibrated index: no embedding).
--idle-ms <ms>: how long the server has been quiet when its idle RSS is read (default 5000: the server
collects garbage 2 s after a burst of calls, idleCollector in src/serve/server-memory.ts); --settle-ms <ms> reads it
once more after that much quiet (default 30000; 0 skips).
--rss-env NAME=value[,NAME=value]: the RSS run is repeated with a server started with these variables
(e.g. MALLOC_ARENA_MAX=2, glibc's cap on malloc arenas; default "": no second run).
--table <dir> (repeatable) measures an existing table folder too (a synthetic table kept from an
earlier run), without writing one; its manifest.json is (re)written from <repo>'s index.`;

const { values } = parseArgs({
  options: {
    repo: { type: "string" },
    rows: { type: "string", default: "5000" },
    calls: { type: "string", default: "200" },
    "rss-calls": { type: "string", default: "1000" },
    "cli-runs": { type: "string", default: "10" },
    table: { type: "string", multiple: true, default: [] },
    "vector-weight": { type: "string", default: "1" },
    "rss-env": { type: "string", default: "" },
    "idle-ms": { type: "string", default: "5000" },
    "settle-ms": { type: "string", default: "30000" },
    help: { type: "boolean" },
  },
});
if (values.help || !values.repo) {
  process.stdout.write(`${USAGE}\n`);
  process.exit(values.help ? 0 : 2);
}
const repo = path.resolve(values.repo);
const sizes = values.rows === "" ? [] : values.rows.split(",").map(Number);
const calls = Number(values.calls);
const rssCalls = Number(values["rss-calls"]);
const cliRuns = Number(values["cli-runs"]);
const idleMs = Number(values["idle-ms"]);
const settleMs = Number(values["settle-ms"]);
const rssEnv = Object.fromEntries(values["rss-env"].split(",").filter(Boolean).map((kv) => [kv.slice(0, kv.indexOf("=")), kv.slice(kv.indexOf("=") + 1)]));
const weightArg = values["vector-weight"] === "index" ? {} : { vector_weight: Number(values["vector-weight"]) };
const log = (line) => process.stderr.write(`mcp-latency: ${line}\n`);

/** Resident set size of `pid` in kB, from /proc (Linux). */
function rssKb(pid) {
  return Number(/VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, "utf8"))[1]);
}

/**
 * Runs `node ...args` under GNU time: wall ms (elapsed), CPU ms (user + system) and peak RSS kB.
 * CPU time is the figure that does not depend on how busy the machine is.
 */
function timeProcess(args) {
  return new Promise((resolve, reject) => {
    const child = spawn("/usr/bin/time", ["-f", "%e %U %S %M", process.execPath, ...args], { stdio: ["ignore", "ignore", "pipe"], env: { ...process.env, LANCEDB_LOG: "error" } });
    let stderr = "";
    child.stderr.on("data", (d) => (stderr += d));
    child.on("error", reject);
    child.on("close", (code) => {
      const last = stderr.trim().split("\n").at(-1).split(" ").map(Number);
      if (code !== 0 || last.length !== 4) return reject(new Error(`search exited ${code}:\n${stderr}`));
      resolve({ wallMs: last[0] * 1000, cpuMs: (last[1] + last[2]) * 1000, maxRssKb: last[3] });
    });
  });
}

/** Connects the SDK client to `codesearch mcp --db <indexDir>`. */
async function connect(indexDir, extraEnv = {}) {
  const transport = new StdioClientTransport({
    command: process.execPath,
    args: [CLI, "mcp", "--db", indexDir, "--offline"],
    env: { ...process.env, LANCEDB_LOG: "error", ...extraEnv },
    stderr: "ignore",
  });
  const client = new Client({ name: "codesearch-bench", version: "0" });
  await client.connect(transport);
  return { client, transport };
}

/** The server's own memory split (status tool, `server.memory`), in MiB: RSS, JavaScript heap used, external. */
async function serverMemory(client) {
  const answer = await client.callTool({ name: "status", arguments: {} });
  const m = answer.structuredContent?.server?.memory;
  if (!m) return null;
  const mib = (bytes) => round(bytes / 2 ** 20, 1);
  return { rssMiB: mib(m.rssBytes), heapUsedMiB: mib(m.heapUsedBytes), externalMiB: mib(m.externalBytes) };
}

/** One search call's round trip in ms, and the server's own search_time_ms. */
async function timedSearch(client, query) {
  const startedAt = performance.now();
  const answer = await client.callTool({ name: "search", arguments: { query, limit: 10, ...weightArg } });
  const ms = performance.now() - startedAt;
  if (answer.isError) throw new Error(`search failed: ${answer.content[0].text}`);
  return { ms, serverMs: answer.structuredContent.search_time_ms, bytes: JSON.stringify(answer).length };
}

async function measureSize(indexDir, rowCount, queries, withRss, extraEnv = {}) {
  const { client, transport } = await connect(indexDir, extraEnv);
  try {
    const first = await timedSearch(client, queries[0]);
    await sleep(idleMs);
    const rssAfterFirstKb = rssKb(transport.pid);
    const rssAfterFirstSettledKb = withRss && settleMs > idleMs ? (await sleep(settleMs - idleMs), rssKb(transport.pid)) : null;
    const memoryAfterFirst = withRss ? await serverMemory(client) : null;
    // Warm-up beyond the first call: the model and LanceDB caches settle.
    for (let i = 1; i <= 10; i++) await timedSearch(client, queries[i % queries.length]);
    const samples = [];
    for (let i = 0; i < calls; i++) samples.push(await timedSearch(client, queries[i % queries.length]));
    const result = {
      rows: rowCount,
      serverEnv: extraEnv,
      firstCallMs: round(first.ms, 1),
      calls,
      p50Ms: round(percentile(samples.map((s) => s.ms), 50), 2),
      p95Ms: round(percentile(samples.map((s) => s.ms), 95), 2),
      serverSearchP50Ms: round(percentile(samples.map((s) => s.serverMs), 50), 2),
      serverSearchP95Ms: round(percentile(samples.map((s) => s.serverMs), 95), 2),
      answerBytesMedian: median(samples.map((s) => s.bytes)),
      rssAfterFirstKb,
    };
    if (withRss) {
      // Idle RSS (--idle-ms after the last answer) after the warm-up and timed calls, then after rssCalls in all.
      await sleep(idleMs);
      result.idleMs = idleMs;
      result.rssAfterWarmCalls = calls + 11;
      result.rssAfterWarmKb = rssKb(transport.pid);
      for (let i = calls + 11; i < rssCalls; i++) await timedSearch(client, queries[i % queries.length]);
      await sleep(idleMs);
      result.rssAfterCalls = rssCalls;
      result.rssAfterManyKb = rssKb(transport.pid);
      if (rssAfterFirstSettledKb !== null) {
        await sleep(settleMs - idleMs);
        result.settleMs = settleMs;
        result.rssAfterFirstSettledKb = rssAfterFirstSettledKb;
        result.rssAfterManySettledKb = rssKb(transport.pid);
        result.rssGrowthSettled = round(result.rssAfterManySettledKb / rssAfterFirstSettledKb - 1, 3);
      }
      result.memoryAfterFirst = memoryAfterFirst;
      result.memoryAfterMany = await serverMemory(client);
      result.rssGrowth = round(result.rssAfterManyKb / rssAfterFirstKb - 1, 3);
      result.rssGrowthAfterWarm = round(result.rssAfterManyKb / result.rssAfterWarmKb - 1, 3);
    }
    return result;
  } finally {
    await client.close();
  }
}

/** `x` rounded to 0.1 with its sign, e.g. `+6.1` or `-0.4`. */
function signed(x) {
  return `${x >= 0 ? "+" : ""}${round(x, 1)}`;
}

async function main() {
  const { requireManifest } = await distModule("store/index.js");
  const manifest = await requireManifest(path.join(repo, ".codesearch")).catch(() => null);
  if (!manifest) {
    log(`indexing ${repo} with the test model`);
    const run = await runCodesearch(["index", repo, "--model", TEST_MODEL_DIR, "--batch-size", "16"]);
    if (run.exitCode !== 0) throw new Error(`index failed:\n${run.stderr}`);
  }
  const sourceIndex = path.join(repo, ".codesearch");
  const rows = await readEmbeddedRows(sourceIndex);
  const queries = buildQueries(rows, 100);
  const results = { machine: { cpus: os.availableParallelism(), cpuModel: os.cpus()[0]?.model, memoryGiB: round(os.totalmem() / 2 ** 30, 1), loadAverage1m: round(os.loadavg()[0], 2), node: process.version }, model: "fixtures/model (test model)", vectorWeight: values["vector-weight"], repo, sourceRows: rows.length, queries: queries.length, mcp: [] };

  for (const [i, size] of sizes.entries()) {
    log(`writing a ${size}-row table`);
    const table = await writeSyntheticTable(rows, size);
    await writeBenchManifest(sourceIndex, table.dir);
    try {
      log(`measuring the MCP search tool at ${table.rowCount} rows`);
      results.mcp.push({ ...(await measureSize(table.dir, table.rowCount, queries, i === 0)), tableWriteMs: table.writeMs });
      if (i === 0 && Object.keys(rssEnv).length > 0) {
        log(`measuring again with a server started with ${values["rss-env"]}`);
        results.mcp.push(await measureSize(table.dir, table.rowCount, queries, true, rssEnv));
      }
    } finally {
      rmSync(table.dir, { recursive: true, force: true });
    }
  }

  for (const dir of values.table) {
    await writeBenchManifest(sourceIndex, dir);
    const { openDatabase, countEntities } = await distModule("store/index.js");
    const db = await openDatabase(dir);
    const rowCount = await countEntities(db);
    db.close();
    log(`measuring the MCP search tool on ${dir} (${rowCount} rows)`);
    results.mcp.push({ ...(await measureSize(dir, rowCount, queries, false)), table: dir });
  }

  log(`timing ${cliRuns} whole \`codesearch search --mode lexical\` processes`);
  const runs = [];
  for (let i = 0; i < cliRuns; i++) runs.push(await timeProcess([CLI, "search", queries[i % queries.length], "--mode", "lexical", "--repo", repo, "--json"]));
  results.cliLexical = {
    runs: cliRuns,
    rows: rows.length,
    wallMsMedian: round(median(runs.map((r) => r.wallMs)), 0),
    cpuMsMedian: round(median(runs.map((r) => r.cpuMs)), 0),
    maxRssKbMedian: median(runs.map((r) => r.maxRssKb)),
    wallMs: runs.map((r) => round(r.wallMs, 0)),
  };

  results.machine.loadAverage1mAtEnd = round(os.loadavg()[0], 2);
  const out = path.join(REPO_ROOT, "bench-results");
  mkdirSync(out, { recursive: true });
  writeFileSync(path.join(out, "mcp-latency.json"), `${JSON.stringify(results, null, 2)}\n`);
  process.stdout.write(`${JSON.stringify(results, null, 2)}\n\n`);
  const lines = ["| measure | value |", "|---|---|"];
  for (const m of results.mcp) {
    const env = Object.keys(m.serverEnv ?? {}).length > 0 ? `, server with ${Object.entries(m.serverEnv).map(([k, v]) => `${k}=${v}`).join(" ")}` : "";
    lines.push(`| MCP \`search\` over stdio, ${m.rows} rows, hybrid, warm, p50 / p95 of ${m.calls} calls${env} | ${m.p50Ms} / ${m.p95Ms} ms (server-side ranking ${m.serverSearchP50Ms} / ${m.serverSearchP95Ms} ms; first call ${m.firstCallMs} ms) |`);
    if (m.rssAfterManyKb) {
      lines.push(
        `| server RSS ${m.idleMs / 1000} s idle after the first search → after ${m.rssAfterWarmCalls} → after ${m.rssAfterCalls} (${m.rows} rows${env}) | ${round(m.rssAfterFirstKb / 1024, 1)} → ${round(m.rssAfterWarmKb / 1024, 1)} → ${round(m.rssAfterManyKb / 1024, 1)} MiB (${signed(100 * m.rssGrowth)} % from the first, ${signed(100 * m.rssGrowthAfterWarm)} % from call ${m.rssAfterWarmCalls}); JavaScript heap ${m.memoryAfterFirst?.heapUsedMiB} → ${m.memoryAfterMany?.heapUsedMiB} MiB, external ${m.memoryAfterFirst?.externalMiB} → ${m.memoryAfterMany?.externalMiB} MiB |`,
      );
    }
    if (m.rssAfterManySettledKb) {
      lines.push(
        `| same, ${m.settleMs / 1000} s idle | ${round(m.rssAfterFirstSettledKb / 1024, 1)} → ${round(m.rssAfterManySettledKb / 1024, 1)} MiB (${signed(100 * m.rssGrowthSettled)} %) |`,
      );
    }
  }
  lines.push(`| \`codesearch search --mode lexical\` whole process, ${results.cliLexical.rows} rows, median of ${results.cliLexical.runs} | ${results.cliLexical.wallMsMedian} ms wall, ${results.cliLexical.cpuMsMedian} ms CPU (user + system) |`);
  process.stdout.write(`${lines.join("\n")}\n`);
}

await main();
