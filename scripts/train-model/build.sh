#!/usr/bin/env bash
# Rebuilds models/codesearch-small from scratch: Debian 12's python3-* packages → docstring/code
# pairs → neural bag-of-words training → int8 ONNX in transformers.js layout → check against the
# trainer. See scripts/train-model/README.md; the recipe's figures are in models/codesearch-small/README.md.
#
#   bash scripts/train-model/build.sh [OUT]      (npm run train:model; OUT default models/codesearch-small)
#
# Needs Debian 12 (bookworm) with apt's package index (`apt-get update`), /usr/bin/python3 with
# Debian's python3-torch, python3-numpy and python3-onnx, node with this repository's
# node_modules (for the final check), and ../shared (CoSQA corpus, CodeBERT tokenizer).
# Work files go to .train-work/ (git-ignored, ~3 GB). Environment: SEED, EPOCHS override the recipe.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
cd "$ROOT"
OUT="${1:-models/codesearch-small}"
WORK="${TRAIN_WORK:-$ROOT/.train-work}"
SHARED="${CODESEARCH_SHARED:-$ROOT/../shared}"
PY=/usr/bin/python3
RUN="${RUN_NAME:-release}"

$PY scripts/train-model/test_model_text.py
$PY scripts/train-model/fetch_debs.py "$WORK"
$PY scripts/train-model/extract_pairs.py "$WORK" "$SHARED/eval/cosqa/corpus"
$PY scripts/train-model/train_model.py --work "$WORK" --run "$RUN" \
  --tokenizer "$SHARED/models/codebert-base-tokenizer" --cosqa "$SHARED/eval/cosqa" \
  --seed "${SEED:-20261130}" --epochs "${EPOCHS:-1}" --hard-positive-rate 0.25
$PY scripts/train-model/export_onnx.py "$WORK/runs/$RUN/table.npy" "$OUT" \
  --tokenizer "$SHARED/models/codebert-base-tokenizer" --summary "$WORK/runs/$RUN/summary.json"
cp "$WORK/provenance.json" "$OUT/provenance.json"
npm run build --silent
$PY scripts/train-model/check_export.py "$WORK/runs/$RUN/table.npy" "$OUT"
