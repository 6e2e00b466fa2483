"""Checks model_text.py against the cases shared with the runtime (model-text-cases.json).

Usage: /usr/bin/python3 scripts/train-model/test_model_text.py  (exit 1 on a mismatch)
"""

import json
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from model_text import model_text  # noqa: E402

with open(os.path.join(os.path.dirname(os.path.abspath(__file__)), "model-text-cases.json"),
          encoding="utf-8") as f:
    cases = json.load(f)["cases"]
failed = [(text, want, model_text(text)) for text, want in cases if model_text(text) != want]
for text, want, got in failed:
    print(f"FAIL {text!r}: want {want!r}, got {got!r}")
print(f"{len(cases) - len(failed)}/{len(cases)} cases pass")
sys.exit(1 if failed else 0)
