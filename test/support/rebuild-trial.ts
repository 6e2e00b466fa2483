// A seeded adversarial trial (issue 19, "Done when"): searches from an MCP server (real client over
// stdio), a long-lived in-process session and one-shot sessions (what each CLI search opens) run
// while the index is rebuilt (`index --rebuild`), repaired (`verify --repair`) and reindexed through
// the MCP `reindex` tool after damage that forces a full rebuild. Every answer must be the answer of
// the commit before or after the run, and once the run has finished, the one after.
import { readFile, writeFile } from "node:fs/promises";
import path from "node:path";
import type { SearchMode } from "../../src/model/search.js";
import { candidateDepthFor } from "../../src/pipeline/rank-entities.js";
import { openSearchSession, type SearchSession } from "../../src/pipeline/search-repo.js";
import { writeSyntheticRepo } from "./index-snapshot.js";
import { connectMcp, type McpSession } from "./mcp-client.js";
import { runCli } from "./run-cli.js";
import { type ScoredId, sameRanking } from "./same-ranking.js";
import { seededRandom } from "./seeded-random.js";
import { TEST_MODEL_DIR, makeTempDir } from "./temp-dirs.js";

/** How an index run of a phase is started. */
export type PhaseKind = "rebuild" | "repair" | "reindex";

/** Where an answer came from. */
export type Channel = "mcp" | "session" | "one-shot";

/** The counts a trial reports. */
export interface TrialCounts {
  answers: number;
  /** Answers equal to neither the commit before nor the one after their run; or, taken after the run, not the one after. */
  silentlyWrong: number;
  /** Searches that failed (error, `isError`) while a run was going or after it. */
  failures: number;
  phases: Record<PhaseKind, number>;
  answersByChannel: Record<Channel, number>;
  /** Up to 5 descriptions of wrong answers and failures. */
  examples: string[];
}

interface Query {
  text: string;
  mode: SearchMode;
}

const LIMIT = 10;
const MODULES = 12;
const FUNCTIONS = 6;

/** The answer of one query as the MCP tool and a session's search give it: ids and scores (6 decimals). */
async function sessionAnswer(session: SearchSession, query: Query): Promise<ScoredId[]> {
  const hits = await session.search(query.text, {
    limit: LIMIT + 1, mode: query.mode, filters: { excludeTests: false }, candidateDepth: candidateDepthFor(LIMIT), ...(query.mode === "hybrid" ? { vectorWeight: 1 } : {}),
  });
  return hits.slice(0, LIMIT).map((h) => ({ id: h.chunk.id, score: Math.round(h.score * 1e6) / 1e6 }));
}

async function mcpAnswer(mcp: McpSession, query: Query): Promise<ScoredId[]> {
  const answer = (await mcp.client.callTool({
    name: "search",
    arguments: { query: query.text, mode: query.mode, limit: LIMIT, ...(query.mode === "hybrid" ? { vector_weight: 1 } : {}) },
  })) as { isError?: boolean; content: { text: string }[]; structuredContent?: { results: { id: string; score: number }[] } };
  if (answer.isError) throw new Error(answer.content[0]?.text ?? "isError");
  return answer.structuredContent!.results.map((r) => ({ id: r.id, score: r.score }));
}

/**
 * Runs phases in seeded order until `answers` answers were taken (at least one phase of each kind).
 * Each phase renames the functions of one module, then (repair, reindex) makes the catalog
 * unreadable so the run rebuilds the whole table, and starts its run while the readers search.
 */
export async function runRebuildTrial(options: { seed: number; answers: number }): Promise<TrialCounts> {
  const random = seededRandom(options.seed);
  const pick = <T>(items: readonly T[]): T => items[Math.floor(random() * items.length)]!;
  const repo = await makeTempDir("codesearch-rebuild-trial-");
  await writeSyntheticRepo(repo, MODULES, FUNCTIONS);
  const indexed = await runCli(["index", "--model", TEST_MODEL_DIR], { cwd: repo });
  if (indexed.code !== 0) throw new Error(`index failed: ${indexed.stderr}`);
  const prefixes = Array.from({ length: MODULES }, () => "f");
  const counts: TrialCounts = { answers: 0, silentlyWrong: 0, failures: 0, phases: { rebuild: 0, repair: 0, reindex: 0 }, answersByChannel: { mcp: 0, session: 0, "one-shot": 0 }, examples: [] };
  const note = (line: string) => {
    if (counts.examples.length < 5) counts.examples.push(line);
  };
  const open = () => openSearchSession({ cwd: repo, repoRoot: repo, modelCacheDir: "/nonexistent", offline: true });
  const oracle = async (queries: Query[]): Promise<ScoredId[][]> => {
    const session = await open();
    try {
      return await Promise.all(queries.map((q) => sessionAnswer(session, q)));
    } finally {
      await session.close();
    }
  };
  const mcp = await connectMcp([repo], { cwd: repo });
  const longLived = await open();
  const ask = async (channel: Channel, query: Query): Promise<ScoredId[]> => {
    if (channel === "mcp") return mcpAnswer(mcp, query);
    if (channel === "session") return sessionAnswer(longLived, query);
    const session = await open();
    try {
      return await sessionAnswer(session, query);
    } finally {
      await session.close();
    }
  };
  const kinds: PhaseKind[] = ["rebuild", "repair", "reindex"];
  try {
    for (let phase = 0; counts.answers < options.answers || kinds.some((k) => counts.phases[k] === 0); phase++) {
      const kind = kinds.every((k) => counts.phases[k] > 0) ? pick(kinds) : kinds.find((k) => counts.phases[k] === 0)!;
      counts.phases[kind]++;
      const module = Math.floor(random() * MODULES);
      const j = Math.floor(random() * FUNCTIONS);
      const queries: Query[] = [
        { text: `scale value ${j} of module ${module}`, mode: "lexical" },
        { text: `scale value ${j} of module ${module}`, mode: "vector" },
        { text: `${prefixes[module]}_${module}_${j}`, mode: "hybrid" },
        { text: "clamp it to the limit", mode: "hybrid" },
        { text: "value limit", mode: "lexical" },
      ];
      const before = await oracle(queries);
      const file = path.join(repo, "pkg", `mod_${module}.py`);
      const renamed = `p${phase}`;
      await writeFile(file, (await readFile(file, "utf8")).replaceAll(`def ${prefixes[module]}_${module}_`, `def ${renamed}_${module}_`));
      prefixes[module] = renamed;
      if (kind !== "rebuild") await writeFile(path.join(repo, ".codesearch", "catalog.json"), "{ damaged");

      const run =
        kind === "rebuild" ? runCli(["index", "--rebuild", "--offline"], { cwd: repo }).then((r) => r.code === 0 || Promise.reject(new Error(r.stderr)))
        : kind === "repair" ? runCli(["verify", "--repair", "--offline"], { cwd: repo }).then((r) => r.code === 0 || Promise.reject(new Error(r.stderr)))
        : mcp.client.callTool({ name: "reindex", arguments: {} }, undefined, { timeout: 300_000 }).then((r) => !r.isError || Promise.reject(new Error(JSON.stringify(r.content))));
      let finished = false;
      const ended = run.finally(() => (finished = true));
      ended.catch(() => undefined);
      const taken: { channel: Channel; query: number; answer: ScoredId[]; afterRun: boolean }[] = [];
      const takeOne = async (afterRun: boolean) => {
        const channel = pick<Channel>(["mcp", "mcp", "session", "one-shot"]);
        const query = Math.floor(random() * queries.length);
        counts.answers++;
        counts.answersByChannel[channel]++;
        try {
          taken.push({ channel, query, answer: await ask(channel, queries[query]!), afterRun });
        } catch (error) {
          counts.failures++;
          note(`${kind} phase ${phase}, ${channel}, ${queries[query]!.mode} "${queries[query]!.text}": ${String(error).slice(0, 300)}`);
        }
      };
      while (!finished) await takeOne(false);
      await ended;
      for (let i = 0; i < 6; i++) await takeOne(true);
      const after = await oracle(queries);
      for (const { channel, query, answer, afterRun } of taken) {
        const ok = sameRanking(answer, after[query]!) || (!afterRun && sameRanking(answer, before[query]!));
        if (!ok) {
          counts.silentlyWrong++;
          note(`${kind} phase ${phase}, ${channel}${afterRun ? " after the run" : ""}, ${queries[query]!.mode} "${queries[query]!.text}": ${answer.map((h) => h.id).slice(0, 3).join(", ")}`);
        }
      }
    }
  } finally {
    await longLived.close();
    await mcp.client.close();
  }
  return counts;
}
