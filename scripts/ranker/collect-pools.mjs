// Candidate pools for fitting and ablating the ranking stage (docs/ranking.md): for each question
// of a JSONL file (`codesearch eval`'s shape: query, relevant, category?), every candidate the
// search gathers (each side 50 deep, the vector side at weight 1), with its side ranks, its
// exact-name flag and whether it answers the question. Pure data out; the ranking is redone
// offline (fit-ranker.mjs), so one collection serves every configuration.
import { createHash } from "node:crypto";
import { existsSync, readFileSync, readdirSync, statSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";

const ROOT = fileURLToPath(new URL("../../", import.meta.url));
const dist = (file) => import(path.join(ROOT, "dist", file));

/**
 * Opens the index at `indexDir` and collects one pool per question of `questions` (parsed JSONL
 * lines). `vectorWeight` > 0 gathers the vector side (the query is embedded by the index's model).
 * @returns `[{ id, query, category, relevant, candidates: [{ chunk: {id, path, kind, name, qualifiedName,
 *   parentQualifiedName, startLine, endLine}, text: {signature, docstring, source}, ranks, exactName }] }]`; a question's relevant items
 *   in the metrics' shape, so `scoreQuery` can score any order of its candidates.
 */
export async function collectPools(indexDir, questions, { vectorWeight = 1, depth = 50 } = {}) {
  if (!existsSync(indexDir)) throw new Error(`no index at ${indexDir}`);
  const { openSearchSession } = await dist("pipeline/search-repo.js");
  const { toRelevantItems } = await dist("cli/eval-command.js");
  const session = await openSearchSession({ indexDir, cwd: ROOT, modelCacheDir: path.join(ROOT, ".model-cache"), offline: true });
  const pools = [];
  try {
    for (const question of questions) {
      const hits = await session.search(question.query, { limit: 10_000, candidateDepth: depth, mode: "hybrid", vectorWeight, filters: {}, explain: true });
      pools.push({
        id: question.id ?? null,
        query: question.query,
        category: question.category ?? null,
        relevant: toRelevantItems(question),
        candidates: hits.map(({ chunk, ranks, exactName, explain }) => ({
          chunk: {
            id: chunk.id,
            path: chunk.path,
            kind: chunk.kind,
            name: chunk.name,
            qualifiedName: chunk.qualifiedName,
            parentQualifiedName: chunk.parentQualifiedName,
            startLine: chunk.startLine,
            endLine: chunk.endLine,
          },
          // The text fields the per-field lexical features read (rank/field-scores.ts).
          text: { signature: chunk.signature, docstring: chunk.docstring, source: chunk.source },
          ranks,
          exactName,
          // The vector side's similarity scaled over the pool (0…1 at weight 1): candidateFeatures
          // scales it again over the pool, which leaves it unchanged.
          ...(ranks.vector === null ? {} : { similarity: (explain?.features.vectorSimilarity ?? 0) / vectorWeight }),
        })),
      });
    }
  } finally {
    await session.close();
  }
  return pools;
}

/** SHA-256 (first 16 hex digits) of a model folder's files other than ranker.json: pools collected with another version of the model are not reused. */
export function modelFingerprint(dir) {
  const hash = createHash("sha256");
  const walk = (d) => {
    for (const name of readdirSync(d).sort()) {
      const file = path.join(d, name);
      if (statSync(file).isDirectory()) walk(file);
      else if (name !== "ranker.json") hash.update(`${path.relative(dir, file)}\0`).update(readFileSync(file));
    }
  };
  walk(dir);
  return hash.digest("hex").slice(0, 16);
}
