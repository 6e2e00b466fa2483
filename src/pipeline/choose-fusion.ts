/**
 * Hybrid mode's fusion for an index run's manifest: calibrate again, or keep what is recorded.
 */
import type * as lancedb from "@lancedb/lancedb";
import type { EmbedderSource } from "../embed/index.js";
import { needsCalibration } from "../rank/index.js";
import type { IndexManifest, ManifestFusion } from "../store/index.js";
import { calibrateFusion, uncalibrated } from "./calibrate-fusion.js";
import type { RunOptions } from "./index-repo-options.js";
import { loadEmbedderWith } from "./load-embedder.js";
import { rankerOfModel } from "./load-ranker.js";

/**
 * Hybrid mode's fusion for the manifest: calibrates (see `calibrateFusion`) when
 * `needsCalibration` says so — no calibration yet, another method version, or rows changed since
 * the last one reach `RECALIBRATE_CHANGED_SHARE` of the table — and the run completed; otherwise
 * keeps the recorded fusion, adding this run's written and deleted rows to its change count.
 * Calibration ranks with the model's ranker (`rankerOfModel`), whose prior vector weight applies
 * when the index has too few docstrings.
 * Emits `fusion-calibrated` when it calibrates or records the uncalibrated default.
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
  try {
    fusion = await calibrateFusion(run.db, () => loadEmbedderWith(options, source, run.maxTokens), signal, rankerOfModel(source));
  } catch (error) {
    if (!signal?.aborted) throw error;
    return interrupted();
  } finally {
    signal?.removeEventListener("abort", acknowledge);
  }
  return report(fusion, fusion.calibration?.modelCalls ?? 0);
}
