// The per-user shared embedding cache (issue 22): the whole `codesearch index` process on a first
// clone (empty shared cache: everything embedded) and on a second clone of the same tree (every
// vector from the shared cache), with `codesearch --version` in the same run as the yardstick.
//
//   node scripts/bench/shared-cache.mjs [--source DIR] [--model codesearch-small] [--runs N]
//
// DIR defaults to Debian's Django (python3-django: /usr/lib/python3/dist-packages/django). Each run
// copies DIR into two fresh temp clones and uses a fresh shared cache folder; nothing is kept.
import { cpSync, existsSync, mkdtempSync, rmSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { parseBenchArgs, say } from "./bench-config.mjs";
import { indexRunSummary, runCodesearch } from "./run-process.mjs";
import { median, round } from "./stats.mjs";

const args = parseBenchArgs(
  "usage: node scripts/bench/shared-cache.mjs [--source DIR] [--model ID|DIR] [--runs N]\nWhole `codesearch index` process on a first and a second clone of DIR sharing one per-user embedding cache; medians of N runs (default 3).",
  { source: { type: "string" }, model: { type: "string" }, runs: { type: "string" } },
);
const source = path.resolve(args.source ?? "/usr/lib/python3/dist-packages/django");
if (!existsSync(source)) {
  process.stderr.write(`${source} is missing: apt-get install -y python3-django, or pass --source DIR\n`);
  process.exit(1);
}
const model = args.model ?? "codesearch-small";
const runs = Math.max(1, Number(args.runs ?? 3));
const log = (line) => say("shared-cache", line);

/** Copies the tree without Python bytecode. */
function cloneInto(dir) {
  cpSync(source, dir, { recursive: true, filter: (p) => !p.includes(`${path.sep}__pycache__`) });
}

const samples = [];
for (let run = 0; run < runs; run++) {
  const work = mkdtempSync(path.join(os.tmpdir(), "codesearch-bench-shared-"));
  try {
    const shared = path.join(work, "shared");
    const [first, second] = ["first", "second"].map((name) => path.join(work, name, path.basename(source)));
    cloneInto(first);
    cloneInto(second);
    const version = await runCodesearch(["--version"]);
    const index = async (repo) => {
      const result = await runCodesearch(["index", repo, "--model", model, "--shared-cache", shared, "--json"]);
      // Exit 1: some files or entities failed (Django ships a few files that do not parse); the rest was indexed.
      if (result.exitCode !== 0 && result.exitCode !== 1) throw new Error(`index ${repo} exited ${result.exitCode}:\n${result.stderr.slice(-2000)}`);
      const { summary, phasesMs, events } = indexRunSummary(result);
      const checked = events.find((e) => e.type === "cache-checked");
      const extracted = events.find((e) => e.type === "extract-finished");
      return { wallMs: result.wallMs, summary, phasesMs: { ...phasesMs, untilCacheChecked: checked && extracted ? checked.elapsedMs - extracted.elapsedMs : null } };
    };
    const a = await index(first);
    const b = await index(second);
    const sample = {
      versionMs: round(version.wallMs), firstMs: round(a.wallMs), secondMs: round(b.wallMs),
      entities: a.summary.chunksStored, firstEmbedded: a.summary.chunksEmbedded,
      secondEmbedded: b.summary.chunksEmbedded, secondFromShared: b.summary.chunksFromSharedCache ?? 0,
    };
    samples.push(sample);
    log(`run ${run + 1} phases (ms): first ${JSON.stringify(a.phasesMs)}; second ${JSON.stringify(b.phasesMs)}`);
    log(`run ${run + 1}: --version ${sample.versionMs} ms; first clone ${sample.firstMs} ms (${sample.firstEmbedded} embedded); second clone ${sample.secondMs} ms (${sample.secondEmbedded} embedded, ${sample.secondFromShared} from the shared cache)`);
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
}
const med = (key) => round(median(samples.map((s) => s[key])));
const result = { source, model, runs, load: os.loadavg()[0], medians: { versionMs: med("versionMs"), firstMs: med("firstMs"), secondMs: med("secondMs") }, samples };
log(`medians of ${runs}: --version ${result.medians.versionMs} ms, first clone ${result.medians.firstMs} ms, second clone ${result.medians.secondMs} ms (${round(result.medians.firstMs / result.medians.secondMs, 2)}× faster); load ${round(result.load, 2)}`);
