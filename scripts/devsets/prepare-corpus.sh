#!/usr/bin/env bash
# Copies the Python sources of the dev-set and training libraries (scripts/devsets/libraries.tsv)
# from their installed Debian packages into a git-ignored folder, one folder per library:
# devset-corpus/<library>/<module>/... — the paths the answers in devsets/python/*.jsonl use.
#
#   scripts/devsets/prepare-corpus.sh                 # the dev-set libraries, into ./devset-corpus
#   scripts/devsets/prepare-corpus.sh training        # the training libraries (make-training-queries.mjs)
#   scripts/devsets/prepare-corpus.sh all [OUT_DIR]
#
# Fails (exit 1), naming the apt-get command, when a package is missing; fails when its installed
# version differs from the one the answers' line numbers were taken from, unless
# DEVSET_ANY_VERSION=1. Only *.py files are copied; an existing library folder is replaced.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
WHICH="${1:-dev}"
OUT="${2:-$ROOT/devset-corpus}"
SITE="/usr/lib/python3/dist-packages"
case "$WHICH" in dev | training | all) ;; *) echo "usage: $0 [dev|training|all] [OUT_DIR]" >&2; exit 2 ;; esac

missing=()
while IFS=$'\t' read -r set library package version licence modules; do
  [[ "$set" == \#* || -z "$set" ]] && continue
  [[ "$WHICH" != all && "$WHICH" != "$set" ]] && continue
  installed="$(dpkg-query -W -f='${Status} ${Version}' "$package" 2>/dev/null || true)"
  if [[ "$installed" != "install ok installed "* ]]; then
    missing+=("$package")
    continue
  fi
  installed="${installed#install ok installed }"
  if [[ "$installed" != "$version" && "${DEVSET_ANY_VERSION:-}" != 1 ]]; then
    echo "prepare-corpus: $package is $installed, the answers were written on $version (line numbers may differ); set DEVSET_ANY_VERSION=1 to copy it anyway" >&2
    exit 1
  fi
  rm -rf "${OUT:?}/$library"
  mkdir -p "$OUT/$library"
  IFS=, read -r -a folders <<<"$modules"
  for folder in "${folders[@]}"; do
    [[ -d "$SITE/$folder" ]] || { echo "prepare-corpus: $SITE/$folder not found although $package is installed" >&2; exit 1; }
    (cd "$SITE" && find "$folder" -name '*.py' -type f -exec cp --parents -p -t "$OUT/$library/" {} +)
  done
  count="$(find "$OUT/$library" -name '*.py' | wc -l)"
  echo "$library: $count files from $package $installed ($licence) -> $OUT/$library"
done <"$ROOT/scripts/devsets/libraries.tsv"

if ((${#missing[@]} > 0)); then
  echo "prepare-corpus: not installed: ${missing[*]}; run: apt-get update && apt-get install -y ${missing[*]}" >&2
  exit 1
fi
