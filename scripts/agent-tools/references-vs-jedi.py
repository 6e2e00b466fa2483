#!/usr/bin/python3
"""Compare `codesearch refs` with jedi's get_references on a Python package.

Usage: /usr/bin/python3 scripts/agent-tools/references-vs-jedi.py REPO [--sample N] [--seed S] [--cli bin/codesearch.js]

REPO is a folder holding the package (e.g. a copy of Debian's /usr/lib/python3/dist-packages/markdown
as REPO/markdown). The script indexes it with the committed test model (fixtures/model: references do
not depend on the model), lists every definition (`codesearch outline --json`), samples up to N
module-level functions and classes and N methods (seeded), and for each asks jedi (Debian's
python3-jedi, project scope) and `codesearch refs <id> --json` for its references. A reference is a
(file, line, column) of the name; the definition's own name is left out of jedi's list. Prints one
JSON object: per group, micro-averaged precision and recall of codesearch's resolved references
("high confidence") and of all its references (resolved + name-match), against jedi.
"""
import argparse
import json
import os
import random
import re
import shutil
import subprocess
import sys
import time

import jedi

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))


def cli(args, cwd, binary):
    out = subprocess.run([ "node", binary, *args], cwd=cwd, capture_output=True, text=True, env={**os.environ, "CI": "1"})
    if out.returncode != 0:
        raise RuntimeError(f"codesearch {' '.join(args)} failed: {out.stderr}")
    return out.stdout


def name_column(repo, definition):
    """0-based column of the definition's name on its def/class line."""
    with open(os.path.join(repo, definition["file"]), encoding="utf-8") as handle:
        line = handle.read().split("\n")[definition["start_line"] - 1]
    match = re.search(r"\b(?:def|class)\s+(" + re.escape(definition["name"]) + r")\b", line)
    return match.start(1) if match else None


def jedi_references(project, repo, definition):
    column = name_column(repo, definition)
    if column is None:
        return None
    path = os.path.join(repo, definition["file"])
    script = jedi.Script(path=path, project=project)
    found = set()
    for name in script.get_references(definition["start_line"], column, scope="project"):
        if name.module_path is None:
            continue
        file = os.path.relpath(str(name.module_path), repo)
        if file.startswith(".."):
            continue
        if file == definition["file"] and name.line == definition["start_line"] and name.column == column:
            continue
        found.add((file, name.line, name.column))
    return found


def codesearch_references(repo, binary, definition):
    answer = json.loads(cli(["refs", definition["id"], "--json", "-n", "100000"], repo, binary))
    resolved, matched = set(), set()
    for site in answer["results"]:
        key = (site["file"], site["line"], site["column"] - 1)
        (resolved if site["confidence"] == "resolved" else matched).add(key)
    return resolved, matched


def scores(pairs):
    """Micro precision and recall over (ours, theirs) pairs."""
    ours = sum(len(o) for o, _ in pairs)
    theirs = sum(len(t) for _, t in pairs)
    both = sum(len(o & t) for o, t in pairs)
    return {
        "precision": round(both / ours, 4) if ours else None,
        "recall": round(both / theirs, 4) if theirs else None,
        "codesearch": ours,
        "jedi": theirs,
        "agreed": both,
    }


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("repo")
    parser.add_argument("--sample", type=int, default=60)
    parser.add_argument("--seed", type=int, default=21)
    parser.add_argument("--cli", default=os.path.join(ROOT, "bin", "codesearch.js"))
    parser.add_argument("--no-index", action="store_true", help="use the existing index (default: index REPO afresh)")
    args = parser.parse_args()
    repo = os.path.abspath(args.repo)
    if not args.no_index:
        shutil.rmtree(os.path.join(repo, ".codesearch"), ignore_errors=True)
        cli(["index", ".", "--model", os.path.join(ROOT, "fixtures", "model")], repo, args.cli)
    outline = json.loads(cli(["outline", "", "--json", "-n", "1000000"], repo, args.cli))
    # Sorted by id, so that the seeded sample does not depend on the map's ranking.
    definitions = sorted((d for d in outline["results"] if "/test" not in d["file"] and not d["file"].startswith("test")), key=lambda d: d["id"])
    groups = {
        "module-level functions and classes": [d for d in definitions if d["depth"] == 0],
        "methods": [d for d in definitions if d["kind"] == "method"],
    }
    project = jedi.Project(repo)
    rng = random.Random(args.seed)
    result = {"repo": repo, "jedi": jedi.__version__, "sample_per_group": args.sample, "seed": args.seed, "groups": {}}
    misses = []
    for group, members in groups.items():
        chosen = sorted(rng.sample(members, min(args.sample, len(members))), key=lambda d: d["id"])
        high, everything = [], []
        started = time.time()
        for definition in chosen:
            theirs = jedi_references(project, repo, definition)
            if theirs is None:
                continue
            resolved, matched = codesearch_references(repo, args.cli, definition)
            high.append((resolved, theirs))
            everything.append((resolved | matched, theirs))
            for key in sorted(theirs - resolved - matched)[:3]:
                misses.append({"definition": definition["id"], "missed": list(key)})
            for key in sorted(resolved - theirs)[:3]:
                misses.append({"definition": definition["id"], "extra_resolved": list(key)})
        result["groups"][group] = {
            "definitions": len(high),
            "of": len(members),
            "high_confidence": scores(high),
            "all": scores(everything),
            "seconds": round(time.time() - started, 1),
        }
    result["examples"] = misses[:40]
    json.dump(result, sys.stdout, indent=2)
    print()


if __name__ == "__main__":
    main()
