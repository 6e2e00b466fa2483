import { describe, expect, it } from "vitest";
import { withPrior } from "../../src/pipeline/choose-fusion.js";
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
