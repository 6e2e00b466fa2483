"""Approximate CoSQA dev MRR@10 of a trained table, for choosing among runs (never for training).

Builds the text codesearch embeds for each function of the CoSQA corpus (qualified name,
signature, docstring, dedented source; classes are left out), prepares both sides with
model_text, mean-pools the table's rows and ranks by cosine. The shipped figures come from
`npm run bench:cosqa` / `codesearch eval`, not from here.
"""

import ast
import json
import os

import numpy as np

from model_text import model_text


def corpus_entities(cosqa_dir):
    """[(file, name, start_line, text)] for every function of the corpus."""
    out = []
    for f in sorted(os.listdir(cosqa_dir)):
        if not f.endswith(".py"):
            continue
        with open(os.path.join(cosqa_dir, f), encoding="utf-8") as fh:
            source = fh.read()
        lines = source.splitlines()
        try:
            tree = ast.parse(source)
        except SyntaxError:
            continue
        stack = [(tree, "")]
        while stack:
            node, prefix = stack.pop()
            for child in ast.iter_child_nodes(node):
                if isinstance(child, (ast.FunctionDef, ast.AsyncFunctionDef)):
                    q = prefix + child.name
                    doc = ast.get_docstring(child) or ""
                    first = child.body[0].lineno if child.body else child.lineno
                    sig = " ".join(l.strip() for l in lines[child.lineno - 1:max(first - 1, child.lineno)])
                    src = "\n".join(lines[child.lineno - 1:child.end_lineno])
                    text = "\n".join(p for p in [q, sig, doc, src] if p)[:2048]
                    out.append((f, child.name, child.lineno, text))
                    stack.append((child, q + "."))
                elif isinstance(child, ast.ClassDef):
                    stack.append((child, prefix + child.name + "."))
    return out


class DevSet:
    def __init__(self, bpe, cosqa_root, max_tokens=512):
        cosqa_dir = os.path.join(cosqa_root, "corpus")
        ents = corpus_entities(cosqa_dir)
        self.key_index = {(f, n, l): i for i, (f, n, l, _t) in enumerate(ents)}
        self.docs = [bpe.encode(model_text(t))[:max_tokens - 2] for _f, _n, _l, t in ents]
        self.queries, self.gold = [], []
        with open(os.path.join(cosqa_root, "queries_dev.jsonl"), encoding="utf-8") as fh:
            for line in fh:
                q = json.loads(line)
                gold = {self.key_index.get((r["file"], r["name"], r["start_line"])) for r in q["relevant"]}
                gold.discard(None)
                self.queries.append(bpe.encode(model_text(q["query"]))[:62])
                self.gold.append(gold)

    @staticmethod
    def _embed(table, rows):
        out = np.zeros((len(rows), table.shape[1]), dtype=np.float32)
        for i, r in enumerate(rows):
            if r:
                out[i] = table[r].mean(0)
        n = np.linalg.norm(out, axis=1, keepdims=True)
        return out / np.maximum(n, 1e-12)

    def mrr10(self, table):
        """MRR@10 over the dev queries; table is [vocab, dim] indexed by original token ids."""
        d = self._embed(table, self.docs)
        q = self._embed(table, self.queries)
        scores = q @ d.T
        total = 0.0
        for i, gold in enumerate(self.gold):
            top = np.argsort(-scores[i], kind="stable")[:10]
            for rank, j in enumerate(top):
                if j in gold:
                    total += 1.0 / (rank + 1)
                    break
        return total / len(self.gold)
