// (2, token limit) The speed effect of `--max-tokens`: the whole `codesearch index` process on one
// corpus package (python3-click, 572 entities; the plan's corpus with --quick/--smoke) with the
// bench model at token limits 512 (the default), 256 and 128, each into a fresh index folder.
// Reports entities/s, wall ms and how many entities each limit cut. Writes max-tokens.json.
import { rmSync } from "node:fs";
import path from "node:path";
import { pathToFileURL } from "node:url";
import { BENCH_MODEL_DIR, CORPUS_SRC, parseBenchArgs, requireInputs, say, writeResult } from "./bench-config.mjs";
import { runColdIndex } from "./cold-index.mjs";
import { round } from "./stats.mjs";

/** Token limits compared, the model's own (512) first. */
const LIMITS = [512, 256, 128];
/** The package measured in a full run. */
const PACKAGE = "python3-click";

async function main() {
  const args = parseBenchArgs(
    `usage: node scripts/bench/max-tokens.mjs [--quick | --smoke]\nWhole \`codesearch index\` process on ${PACKAGE} (the plan's corpus with --quick/--smoke) at --max-tokens ${LIMITS.join(", ")}: entities/s, wall ms, entities cut.`,
  );
  requireInputs(["dist", "corpus", "benchModel"]);
  const { plan } = args;
  const log = (line) => say("max-tokens", line);
  const root = plan.mode === "full" ? path.join(CORPUS_SRC, PACKAGE) : plan.corpusRoot;
  const runs = [];
  for (const maxTokens of LIMITS) {
    const run = await runColdIndex(root, BENCH_MODEL_DIR, ["--max-tokens", String(maxTokens)]);
    rmSync(run.indexDir, { recursive: true, force: true });
    const row = {
      maxTokens,
      entities: run.entities,
      entitiesCut: run.entitiesCut,
      wallMs: round(run.wallMs),
      entitiesPerSec: round(run.entitiesPerSec, 2),
      embedPhaseMs: run.phasesMs.embed,
    };
    runs.push(row);
    log(`--max-tokens ${maxTokens}: ${row.entities} entities (${row.entitiesCut} cut) in ${row.wallMs} ms → ${row.entitiesPerSec} entities/s`);
  }
  const base = runs[0].entitiesPerSec;
  for (const row of runs) row.speedupOver512 = round(row.entitiesPerSec / base, 3);
  const file = writeResult(args.resultsDir, "max-tokens", plan, { unit: { wallMs: "ms", entitiesPerSec: "entities/s" }, corpusRoot: root, runs });
  log(`→ ${file}`);
}

if (import.meta.url === pathToFileURL(process.argv[1]).href) await main();
