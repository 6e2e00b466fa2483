// The ranking stage's first, hand-set weights (issue 18's first ranking stage, the ranker.json of
// main before the per-field features): the "before" of stage-cost.mjs (a ranker that reads no
// text), kept here so it stays reproducible; DEFAULT_RANKER started from them.
export const HAND_SET_RANKER = {
  weights: { lexical: 1, vector: 1, exactName: 1, nameWords: 0.3, parentWords: 0.1, pathWords: 0.15, typeForSymbol: 0, memberHits: 0.1, fileSupport: 0.05, testCode: -0.3, auxiliaryCode: -0.3 },
  stages: ["file-diversity"],
  fileRepeatPenalty: 0.1,
  priorVectorWeight: 0,
};
