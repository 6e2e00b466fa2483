#!/usr/bin/env bash
# Downloads the benchmark corpus: the Python sources of 12 Debian packages (about 5,000
# functions, methods and classes), unpacked into bench-corpus/src/<package>/ (git-ignored).
# Needs apt (Debian's archive); prints each package's version so results can name them.
set -euo pipefail
cd "$(dirname "$0")/../.."
out=bench-corpus
packages=(python3-click python3-requests python3-jinja2 python3-urllib3 python3-werkzeug python3-flask
  python3-markupsafe python3-idna python3-certifi python3-chardet python3-yaml python3-attr)
mkdir -p "$out/debs" "$out/src"
cd "$out/debs"
for p in "${packages[@]}"; do
  ls "${p}"_*.deb >/dev/null 2>&1 || apt-get download "$p" >/dev/null 2>&1 || { echo "cannot download $p (run apt-get update?)" >&2; exit 1; }
done
cd ../src
for deb in ../debs/*.deb; do
  name=$(basename "$deb" | cut -d_ -f1)
  version=$(basename "$deb" | cut -d_ -f2)
  rm -rf "$name" && mkdir -p "$name.tmp"
  dpkg-deb -x "$deb" "$name.tmp"
  mv "$name.tmp/usr/lib/python3/dist-packages" "$name" && rm -rf "$name.tmp"
  echo "$name $version"
done
