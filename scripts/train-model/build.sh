#!/usr/bin/env bash
# Rebuilds models/codesearch-small from scratch: Debian 12's source-bearing packages (python3-*,
# golang-*-dev, librust-*-dev, node-*, ruby-*, the JDK's sources) → doc comment/code pairs →
# neural bag-of-words training → int8 ONNX in transformers.js layout → check against the trainer.
# See scripts/train-model/README.md; the recipe's figures are in models/codesearch-small/README.md.
#
#   bash scripts/train-model/build.sh [OUT]      (npm run train:model; OUT default models/codesearch-small)
#
# Needs Debian 12 (bookworm) with apt's package index (`apt-get update`), /usr/bin/python3 with
# Debian's python3-torch, python3-numpy and python3-onnx, node with this repository's
# node_modules (for the final check), and ../shared (CoSQA corpus, CodeBERT tokenizer).
# Work files go to .train-work/ (git-ignored, ~5 GB). Environment: SEED, EPOCHS override the recipe;
# LANGS chooses the languages besides Python (default all five).
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
cd "$ROOT"
OUT="${1:-models/codesearch-small}"
WORK="${TRAIN_WORK:-$ROOT/.train-work}"
SHARED="${CODESEARCH_SHARED:-$ROOT/../shared}"
PY=/usr/bin/python3
RUN="${RUN_NAME:-release}"
LANGS="${LANGS:-go rust javascript java ruby}"
# Pairs per language other than Python (training; dev pairs are capped apart), per package, and
# files read per package: caps that keep the rebuild within its hour and Python the largest share.
declare -A CAPS=(
  [go]="--max-pairs 60000 --max-package-pairs 300"
  [rust]="--max-pairs 50000 --max-package-pairs 300"
  [javascript]="--max-pairs 15000 --max-package-pairs 300"
  [java]="--max-pairs 40000 --max-package-pairs 2500 --max-files 4000"
  [ruby]="--max-pairs 10000 --max-package-pairs 300"
)

$PY scripts/train-model/test_model_text.py
npm run build --silent
# The other languages are fetched and extracted beside Python's (whose unpacking waits on the disk
# more than on the CPU): the rebuild's wall time is about Python's plus the training.
mkdir -p "$WORK/langs"
(
  for lang in $LANGS; do $PY scripts/train-model/fetch_debs.py "$WORK" "$lang"; done
  # shellcheck disable=SC2086  # the caps are several words
  for lang in $LANGS; do node scripts/train-model/extract-lang-pairs.mjs "$WORK" "$lang" ${CAPS[$lang]}; done
) > "$WORK/langs/build.log" 2>&1 &
LANGS_PID=$!
$PY scripts/train-model/fetch_debs.py "$WORK"
$PY scripts/train-model/extract_pairs.py "$WORK" "$SHARED/eval/cosqa/corpus"
wait "$LANGS_PID" || { cat "$WORK/langs/build.log"; exit 1; }
# shellcheck disable=SC2086
$PY scripts/train-model/merge_pairs.py "$WORK" $LANGS
$PY scripts/train-model/train_model.py --work "$WORK/all" --run "$RUN" \
  --tokenizer "$SHARED/models/codebert-base-tokenizer" --cosqa "$SHARED/eval/cosqa" \
  --seed "${SEED:-20261130}" --epochs "${EPOCHS:-1}" --hard-positive-rate 0.25
$PY scripts/train-model/export_onnx.py "$WORK/all/runs/$RUN/table.npy" "$OUT" \
  --tokenizer "$SHARED/models/codebert-base-tokenizer" --summary "$WORK/all/runs/$RUN/summary.json"
cp "$WORK/all/provenance.json" "$OUT/provenance.json"
$PY scripts/train-model/check_export.py "$WORK/all/runs/$RUN/table.npy" "$OUT"
# Per-language dev MRR@10 on the held-back packages (never trained on), with codesearch's embedder.
node scripts/train-model/dev-lang-eval.mjs "$OUT" $(for lang in $LANGS; do echo "$WORK/langs/$lang/dev.jsonl"; done)
