import { describe, expect, it } from "vitest";
import { requireVectorEvidence, withPrior } from "../../src/pipeline/choose-fusion.js";
import { uncalibrated } from "../../src/pipeline/calibrate-fusion.js";
import { fusionWeights } from "../../src/rank/index.js";
import type { ManifestFusion } from "../../src/store/index.js";

const calibrated = (vector: number): ManifestFusion => ({ weights: fusionWeights(vector), calibrated: true, note: "calibrated on 40 docstring queries", rowsChangedSince: 0, calibration: null });

describe("withPrior", () => {
  it.each([
    { name: "a calibrated weight above 0 becomes the model's prior", fusion: calibrated(2), prior: 0.25, vector: 0.25, noted: true },
    { name: "calibration's 0 (a meaningless model) stays 0", fusion: calibrated(0), prior: 0.25, vector: 0, noted: false },
    { name: "a model without a prior keeps calibration's weight", fusion: calibrated(1.5), prior: 0, vector: 1.5, noted: false },
    { name: "an uncalibrated fusion is left as it is", fusion: uncalibrated("not calibrated", 0.25), prior: 0.25, vector: 0.25, noted: false },
  ])("$name", ({ fusion, prior, vector, noted }) => {
    const out = withPrior(fusion, prior);
    expect(out.weights.vector).toBe(vector);
    expect(out.note.includes("prior vector weight")).toBe(noted);
  });
});

describe("requireVectorEvidence", () => {
  const withScores = (vector: number, lexicalMrr: number, vectorOnly: number): ManifestFusion => ({
    ...calibrated(vector),
    calibration: {
      method: 5,
      calibratedAt: "2026-12-07T00:00:00.000Z",
      queries: 200,
      distractors: 1000,
      modelCalls: 400,
      durationMs: 1,
      rowsAtCalibration: 1200,
      scores: [{ vectorWeight: 0, mrrAt10: lexicalMrr, standardErrorToBest: 0.01 }, { vectorWeight: vector, mrrAt10: lexicalMrr + 0.01, standardErrorToBest: 0 }],
      vectorOnlyMrrAt10: vectorOnly,
      bestVectorWeight: vector,
      standardErrorMargin: 0.01,
    },
  });
  it.each([
    { name: "a model alone below lexical alone (fixtures/model on rich) gets 0", fusion: withScores(0.25, 0.442, 0.203), vector: 0 },
    { name: "a model alone above lexical alone (codesearch-small) keeps its weight", fusion: withScores(1, 0.442, 0.524), vector: 1 },
    { name: "weight 0 stays 0", fusion: withScores(0, 0.442, 0.203), vector: 0 },
    { name: "no calibration: unchanged", fusion: uncalibrated("not calibrated", 0.5), vector: 0.5 },
  ])("$name", ({ fusion, vector }) => {
    expect(requireVectorEvidence(fusion).weights.vector).toBe(vector);
  });
});
