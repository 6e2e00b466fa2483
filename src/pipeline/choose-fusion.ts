/**
 * Hybrid mode's fusion for an index run's manifest: calibrate again, or keep what is recorded.
 */
import type * as lancedb from "@lancedb/lancedb";
import type { EmbedderSource } from "../embed/index.js";
import { fusionWeights, needsCalibration } from "../rank/index.js";
import { indexPathsOf, type IndexManifest, type ManifestFusion } from "../store/index.js";
import { calibrateFusion, uncalibrated } from "./calibrate-fusion.js";
import type { RunOptions } from "./index-repo-options.js";
import { loadEmbedderWith } from "./load-embedder.js";
import { rankerOfModel } from "./load-ranker.js";

/**
 * Hybrid mode's fusion for the manifest: calibrates (see `calibrateFusion`) when
 * `needsCalibration` says so — no calibration yet, another method version, or rows changed since
 * the last one reach `RECALIBRATE_CHANGED_SHARE` of the table — and the run completed; otherwise
 * keeps the recorded fusion, adding this run's written and deleted rows to its change count.
 * Calibration ranks with the model's ranker (`rankerOfModel`). A model whose ranker declares a
 * prior vector weight (measured on developer questions) takes that prior whenever calibration gives
 * the vector side any weight, and when the index has too few docstrings to calibrate: docstring
 * queries favour the vector side more than developers' questions do (issue 18), so calibration
 * decides only whether the model means anything here (a meaningless model still ends at 0, see
 * {@link requireVectorEvidence}).
 * Emits `fusion-calibrating` when calibration starts, and `fusion-calibrated` when it calibrates or
 * records the uncalibrated default.
 *
 * Once `options.signal` aborts (Ctrl-C after the last file was embedded and stored), calibration
 * stops at its next model call or query, `stop-requested` is emitted, and the recorded fusion is
 * kept (or the uncalibrated default recorded) with a note saying so: the run still commits every
 * stored row, and the next run calibrates (its change count or missing calibration asks for it).
 * @throws what loading the run's model throws (ModelLoadError, EmbeddingServiceError), when it calibrates.
 */
export async function chooseFusion(
  options: RunOptions,
  source: EmbedderSource,
  run: { manifest: IndexManifest | null; db: lancedb.Connection; written: { rowsDeleted: number; rowsAdded: number }; maxTokens: number; partial: boolean },
): Promise<ManifestFusion> {
  const recorded = run.manifest?.fusion;
  // A rewritten file deletes and adds its rows: count each row once.
  const rowsChangedSince = (recorded?.rowsChangedSince ?? 0) + Math.max(run.written.rowsDeleted, run.written.rowsAdded);
  const state = recorded?.calibration ? { method: recorded.calibration.method, rowsAtCalibration: recorded.calibration.rowsAtCalibration, rowsChangedSince } : null;
  if (run.partial || !needsCalibration(state)) {
    return recorded ? { ...recorded, rowsChangedSince } : uncalibrated("not calibrated yet: the index run stopped early; the next complete run calibrates");
  }
  const startedAt = Date.now();
  const report = (fusion: ManifestFusion, modelCalls: number): ManifestFusion => {
    options.emit({ type: "fusion-calibrated", calibrated: fusion.calibrated, vectorWeight: fusion.weights.vector, note: fusion.note, modelCalls, durationMs: Date.now() - startedAt });
    return fusion;
  };
  const interrupted = (): ManifestFusion => {
    const suffix = " (recalibration was interrupted; the next `codesearch index` recalibrates)";
    const fusion = recorded
      ? { ...recorded, rowsChangedSince, note: recorded.note.endsWith(suffix) ? recorded.note : `${recorded.note}${suffix}` }
      : uncalibrated("not calibrated: the run was interrupted before fusion calibration finished; the next `codesearch index` calibrates");
    return report(fusion, 0);
  };
  const signal = options.signal;
  if (signal?.aborted) return interrupted();
  const acknowledge = () => options.emit({ type: "stop-requested", reason: "interrupted" });
  signal?.addEventListener("abort", acknowledge, { once: true });
  let fusion: ManifestFusion;
  const ranker = rankerOfModel(source);
  options.emit({ type: "fusion-calibrating" });
  try {
    const { stateDir } = indexPathsOf(options.indexDir, options.cacheDir);
    fusion = withPrior(requireVectorEvidence(await calibrateFusion(run.db, () => loadEmbedderWith(options, source, run.maxTokens), stateDir, signal, ranker)), ranker.priorVectorWeight);
  } catch (error) {
    if (!signal?.aborted) throw error;
    return interrupted();
  } finally {
    signal?.removeEventListener("abort", acknowledge);
  }
  return report(fusion, fusion.calibration?.modelCalls ?? 0);
}

/**
 * `fusion` with the model's prior vector weight in place of a calibrated weight above 0 (see
 * {@link chooseFusion}); unchanged without a prior, when calibration chose 0, or when it did not run.
 */
export function withPrior(fusion: ManifestFusion, priorVectorWeight: number): ManifestFusion {
  if (priorVectorWeight <= 0 || !fusion.calibrated || fusion.weights.vector === 0) return fusion;
  return {
    ...fusion,
    weights: fusionWeights(priorVectorWeight),
    note: `${fusion.note}; the model's measured prior vector weight ${priorVectorWeight} applies (calibration chose ${fusion.weights.vector})`,
  };
}

/**
 * `fusion` with vector weight 0 when the model alone ranked the calibration answers worse than
 * lexical search alone (MRR@10 of the vector side below that of weight 0); unchanged otherwise or
 * without a calibration. Docstring queries favour the vector side (a model trained on docstring →
 * code pairs meets its own task there), so a model that cannot match BM25 even on them carries no
 * meaning developers' questions could use: on the six dev libraries, fixtures/model reached
 * 0.06–0.27 against lexical 0.32–0.47, and still won weight 0.25 on one of them by noise, which cost
 * NDCG there; codesearch-small reached 0.43–0.59, above lexical on all six (BENCHMARKS.md, issue 18).
 */
export function requireVectorEvidence(fusion: ManifestFusion): ManifestFusion {
  const calibration = fusion.calibration;
  const lexical = calibration?.scores.find((score) => score.vectorWeight === 0)?.mrrAt10;
  if (!calibration || lexical === undefined || fusion.weights.vector === 0 || calibration.vectorOnlyMrrAt10 >= lexical) return fusion;
  return {
    ...fusion,
    weights: fusionWeights(0),
    note: `${fusion.note}; weight 0: the model alone (MRR@10 ${calibration.vectorOnlyMrrAt10.toFixed(3)}) ranks below lexical search alone (${lexical.toFixed(3)})`,
  };
}
