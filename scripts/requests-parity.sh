#!/usr/bin/env bash
# Indexes Debian's python3-requests sources twice with the built CLI, once with the local embedder
# (fixtures/model) and once with --embedder openai through a loopback OpenAI-compatible server that
# serves the same test model and injects transient faults, then compares the stored entities and
# vectors. Needs apt-get and dpkg-deb (Debian); prints the comparison and exits non-zero on a mismatch.
set -euo pipefail
cd "$(dirname "$0")/.."
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
(cd "$work" && apt-get download python3-requests >/dev/null 2>&1 && dpkg-deb -x python3-requests_*_all.deb root)
ls "$work"/python3-requests_*_all.deb | xargs -n1 basename
npm run --silent build
CODESEARCH_PARITY_SRC="$work/root/usr/lib/python3/dist-packages/requests" \
CODESEARCH_PARITY_REPORT="$work/report.txt" \
  npx vitest run --config scripts/vitest.config.ts --reporter dot scripts/requests-parity.check.ts
cat "$work/report.txt"
