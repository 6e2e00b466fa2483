#!/usr/bin/python3
"""Merge the Python pairs and the other languages' pairs into one training set.

Reads WORK/pairs.jsonl and WORK/provenance.json (extract_pairs.py: Python) and, for each language
given, WORK/langs/<language>/pairs.jsonl and provenance.json (extract-lang-pairs.mjs), and writes
  WORK/all/pairs.jsonl      Python's pairs (a row without "language" is Python's), then each
                            language's (capped at extraction: extract-lang-pairs.mjs --max-pairs)
  WORK/all/provenance.json  Python's provenance as before at the top level, and per language its
                            own under "languages" (packages with version, licences, pair counts,
                            exclusions), plus "training_pairs_by_language"

Usage: /usr/bin/python3 scripts/train-model/merge_pairs.py WORK go rust javascript java ruby
"""

import argparse
import json
import os


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("work")
    ap.add_argument("languages", nargs="*")
    args = ap.parse_args()
    out_dir = os.path.join(args.work, "all")
    os.makedirs(out_dir, exist_ok=True)
    with open(os.path.join(args.work, "provenance.json")) as f:
        provenance = json.load(f)
    by_language = {}
    with open(os.path.join(out_dir, "pairs.jsonl"), "w", encoding="utf-8") as out:
        n = 0
        with open(os.path.join(args.work, "pairs.jsonl"), encoding="utf-8") as f:
            for line in f:
                out.write(line)
                n += 1
        by_language["python"] = n
        provenance["languages"] = {}
        for language in args.languages:
            d = os.path.join(args.work, "langs", language)
            with open(os.path.join(d, "provenance.json")) as f:
                provenance["languages"][language] = json.load(f)
            with open(os.path.join(d, "pairs.jsonl"), encoding="utf-8") as f:
                for line in f:
                    row = json.loads(line)
                    lang = row.get("language", language)
                    by_language[lang] = by_language.get(lang, 0) + 1
                    out.write(line)
    provenance["training_pairs_by_language"] = by_language
    with open(os.path.join(out_dir, "provenance.json"), "w") as f:
        json.dump(provenance, f, indent=1, sort_keys=True)
    print(json.dumps(by_language), flush=True)


if __name__ == "__main__":
    main()
