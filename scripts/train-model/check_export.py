#!/usr/bin/python3
"""Checks an exported model folder against the trainer: cosine ≥ 0.9999 on sample texts.

Trainer side: model_text → BPE → mean of the float table's rows (special tokens excluded) →
L2-normalised. Runtime side: codesearch's transformers.js embedder on the same raw texts
(scripts/train-model/embed-texts.mjs, which applies the folder's codesearch.json). Also checks
that the Python BPE gives transformers.js's token ids.

Usage: /usr/bin/python3 scripts/train-model/check_export.py TABLE.npy MODEL_DIR  (exit 1 on failure)
"""

import json
import os
import subprocess
import sys

import numpy as np

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from bpe import ByteLevelBPE  # noqa: E402
from model_text import model_text  # noqa: E402

TEXTS = [
    "python check if a variable is iterable",
    "how to read a csv file into a dictionary",
    "def parseHTTPHeader(raw_bytes):\n    \"\"\"Parse one header.\"\"\"\n    return dict(line.split(': ', 1) for line in raw_bytes.decode().splitlines())",
    "class LRUCache(OrderedDict):\n    def __getitem__(self, key):\n        value = super().__getitem__(key)\n        self.move_to_end(key)\n        return value",
    "get_terminal_size größeBerechnen MAX_RETRY_COUNT utf8_decode",
    "def f(x): return x ** 2 + 1  # square plus one",
]


def main():
    table_path, model_dir = sys.argv[1], sys.argv[2]
    root = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
    table = np.load(table_path).astype(np.float32)
    bpe = ByteLevelBPE(os.path.join(model_dir)) if os.path.exists(os.path.join(model_dir, "vocab.json")) \
        else ByteLevelBPE("/work/shared/models/codebert-base-tokenizer")
    want = []
    for t in TEXTS:
        ids = bpe.encode(model_text(t))[:510]
        v = table[ids].mean(0)
        want.append(v / np.linalg.norm(v))
    out = subprocess.run(["node", os.path.join(root, "scripts", "train-model", "embed-texts.mjs"), model_dir],
                         input=json.dumps(TEXTS), capture_output=True, text=True, check=True, cwd=root)
    got = np.asarray(json.loads(out.stdout), dtype=np.float32)
    cos = (got * np.stack(want)).sum(1)
    for t, c in zip(TEXTS, cos):
        print(f"cosine {c:.6f}  {t[:50]!r}")
    ok = bool((cos >= 0.9999).all())
    print("OK" if ok else "FAIL: cosine below 0.9999")
    sys.exit(0 if ok else 1)


if __name__ == "__main__":
    main()
