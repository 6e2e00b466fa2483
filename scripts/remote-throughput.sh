#!/usr/bin/env bash
# Measures what `codesearch index --embedder openai` itself can sustain: it indexes a Python tree
# (default: the CoSQA corpus in ../shared, 6,267 functions) through a loopback OpenAI-compatible
# server whose "model" costs nothing (hash vectors, 768-d), so the rate is the client's ceiling:
# parsing, batching, HTTP, JSON and LanceDB on this machine. Usage: scripts/remote-throughput.sh [DIR]
set -euo pipefail
cd "$(dirname "$0")/.."
src="$(cd "${1:-../shared/eval/cosqa/corpus}" && pwd)"
report="$(mktemp)"
trap 'rm -f "$report"' EXIT
npm run --silent build
CODESEARCH_THROUGHPUT_SRC="$src" CODESEARCH_THROUGHPUT_REPORT="$report" \
  npx vitest run --config scripts/vitest.config.ts --reporter dot scripts/remote-throughput.check.ts
cat "$report"
