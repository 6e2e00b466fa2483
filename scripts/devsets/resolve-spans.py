#!/usr/bin/env python3
"""Fills in and checks the line spans of a dev set's span-level answers.  Python 3 stdlib only.

usage:
  /usr/bin/python3 scripts/devsets/resolve-spans.py devsets/python/jinja2.jsonl devset-corpus/jinja2 [--check]

Questions are written with answers as {"file", "qualname"}; this script reads each answer's file
under the corpus folder (scripts/devsets/prepare-corpus.sh), finds every definition with that
qualified name (classes and functions, nested ones as Outer.inner, the way codesearch names
entities), and writes start_line / end_line (the `def`/`class` line to the last line),
decorated_start_line when decorated, and alt_ranges for further definitions of the same name
(overloads, per-version branches).  File-level answers ({"file"} only) are checked to exist.
With --check nothing is written: exit 1 when an answer's file or name is not found or its
recorded span differs from the corpus (a different package version).
"""
import ast
import json
import sys
from pathlib import Path


def definitions(tree):
    """Yields (qualname, node) for every class and function, nested ones dotted."""
    def walk(node, prefix):
        for child in ast.iter_child_nodes(node):
            if isinstance(child, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
                name = f"{prefix}.{child.name}" if prefix else child.name
                yield name, child
                yield from walk(child, name)
            else:
                yield from walk(child, prefix)
    yield from walk(tree, "")


def span_of(qualname, nodes):
    """The answer fields for the definitions named `qualname`, first one first."""
    first = nodes[0]
    out = {"start_line": first.lineno, "end_line": first.end_lineno}
    if first.decorator_list:
        out["decorated_start_line"] = min(d.lineno for d in first.decorator_list)
    if len(nodes) > 1:
        out["alt_ranges"] = [[min([n.lineno] + [d.lineno for d in n.decorator_list]), n.end_lineno] for n in nodes[1:]]
    return out


def main():
    args = [a for a in sys.argv[1:] if not a.startswith("--")]
    check = "--check" in sys.argv
    if len(args) != 2:
        sys.exit(__doc__)
    queries_path, corpus = Path(args[0]), Path(args[1])
    trees = {}
    problems = []
    rows = [json.loads(line) for line in queries_path.read_text(encoding="utf-8").splitlines() if line.strip()]
    for row in rows:
        for rel in row["relevant"]:
            source = corpus / rel["file"]
            if not source.is_file():
                problems.append(f"{row['id']}: {rel['file']} not in {corpus}")
                continue
            name = rel.get("qualname") or rel.get("name")
            if not name:
                continue
            if source not in trees:
                trees[source] = {}
                for qualname, node in definitions(ast.parse(source.read_text(encoding="utf-8"))):
                    trees[source].setdefault(qualname, []).append(node)
            nodes = trees[source].get(name)
            if not nodes:
                problems.append(f"{row['id']}: {rel['file']} has no definition {name}")
                continue
            span = span_of(name, nodes)
            recorded = {k: rel[k] for k in ("start_line", "end_line", "decorated_start_line", "alt_ranges") if k in rel}
            if check:
                if recorded != span:
                    problems.append(f"{row['id']}: {rel['file']}::{name} recorded {recorded}, corpus has {span}")
            else:
                rel.update(span)
    if problems:
        print("\n".join(problems), file=sys.stderr)
        sys.exit(1)
    if not check:
        queries_path.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in rows), encoding="utf-8")
    print(f"{queries_path}: {len(rows)} questions, every answer found in {corpus}")


if __name__ == "__main__":
    main()
