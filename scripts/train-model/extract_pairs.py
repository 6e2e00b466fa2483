#!/usr/bin/python3
"""Extract docstring → code training pairs from the unpacked Debian packages and the stdlib.

Reads WORK/packages.jsonl and WORK/src/<package>/ (written by fetch_debs.py) and
/usr/lib/python3.11 (the standard library of Debian 12's python3.11), and writes:
  WORK/pairs.jsonl       one pair per line: {"query", "code", "body", "package", "path", "name"},
                         sorted by (package, path, line); code = qualified name, signature and
                         the source with the docstring removed (the entity text codesearch
                         embeds, minus the docstring); body = the statements after the docstring
                         only (no name, no signature: the "hard positive" of CodeSage)
  WORK/provenance.json   packages used (name, version, licences, pairs), excluded packages
                         with the reason, and counts of every exclusion

Exclusions (issues 12 and 20): Debian's python3-click, python3-requests, python3-jinja2 (issue 12),
python3-aiohttp, python3-fastapi, python3-flask, python3-httpx, python3-pydantic and
python3-starlette (issue 20's held-out libraries; model2vec has no Debian package) and every package
whose Depends/Pre-Depends names one of them; any pair whose normalised code (ast.dump of the
function without its docstring) equals that of a function of those three packages (vendored
copies, e.g. pip/_vendor/requests) or of a function of the CoSQA corpus (COSQA_DIR); test and
vendored directories; duplicate functions (same normalised code) after the first. CoSQA's queries
are never read.

Usage: /usr/bin/python3 scripts/train-model/extract_pairs.py [WORK] [COSQA_DIR]
"""

import ast
import hashlib
import json
import multiprocessing
import os
import re
import sys
import time
import warnings

EXCLUDED = ("python3-click", "python3-requests", "python3-jinja2",
            "python3-aiohttp", "python3-fastapi", "python3-flask", "python3-httpx", "python3-pydantic",
            "python3-starlette")
STDLIB_DIR = "/usr/lib/python3.11"
SKIP_DIRS = {"test", "tests", "testing", "unittests", "idle_test", "_vendor", "vendor", "vendored",
             "_vendored", "third_party", "thirdparty", "extern", "_externals", "site-packages",
             "dist-packages-disabled", "__pycache__"}
MAX_FILE_BYTES = 1_000_000
WORKERS = 2
MAX_CODE_CHARS = 2048
MAX_QUERY_CHARS = 300
SECTION_RE = re.compile(r"^\s*(:param|:type|:return|:rtype|:raises|@param|@return|args:|arguments:|"
                        r"parameters|returns?:|raises:|yields?:|example|examples:|note:|notes|>>>|\.\. )",
                        re.I)


def is_test_file(name):
    return name.startswith("test_") or name.endswith("_test.py") or name == "conftest.py"


def python_files(root, skip_site_packages=False):
    """Sorted *.py paths under root, skipping test and vendored directories."""
    out = []
    for dirpath, dirnames, filenames in os.walk(root):
        dirnames[:] = sorted(d for d in dirnames if d.lower() not in SKIP_DIRS
                             or (d == "site-packages" and not skip_site_packages))
        for f in sorted(filenames):
            if f.endswith(".py") and not is_test_file(f):
                out.append(os.path.join(dirpath, f))
    return out


def parse(path):
    try:
        if os.path.getsize(path) > MAX_FILE_BYTES:
            return None, None
        with open(path, "rb") as f:
            source = f.read().decode("utf-8")
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            return source, ast.parse(source)
    except (UnicodeDecodeError, SyntaxError, ValueError, RecursionError, OSError, MemoryError):
        return None, None


def code_key(node):
    """Normalised-code hash: ast.dump of the function with its docstring statement removed."""
    body = node.body
    if body and isinstance(body[0], ast.Expr) and isinstance(getattr(body[0], "value", None), ast.Constant) \
            and isinstance(body[0].value.value, str):
        body = body[1:]
    clone = type(node)(**{f: getattr(node, f, None) for f in node._fields})
    clone.body = body
    try:
        dumped = ast.dump(clone, annotate_fields=False)
    except (RecursionError, TypeError, AttributeError):
        return None
    return hashlib.sha256(dumped.encode("utf-8")).hexdigest()


def functions(tree):
    """(qualified name, node) of every function and method, in source order."""
    out = []

    def visit(node, prefix):
        for child in ast.iter_child_nodes(node):
            if isinstance(child, (ast.FunctionDef, ast.AsyncFunctionDef)):
                q = prefix + child.name
                out.append((q, child))
                visit(child, q + ".")
            elif isinstance(child, ast.ClassDef):
                visit(child, prefix + child.name + ".")
            elif not isinstance(child, (ast.Lambda,)):
                visit(child, prefix)
    try:
        visit(tree, "")
    except RecursionError:
        pass
    return out


def summary(docstring):
    """First paragraph of a docstring before any section header, one line; None if unusable."""
    lines = []
    for line in docstring.strip().splitlines():
        if not line.strip() or SECTION_RE.match(line):
            if lines:
                break
            if SECTION_RE.match(line):
                return None
            continue
        lines.append(line.strip())
    text = " ".join(" ".join(lines).split())
    if len(text) > MAX_QUERY_CHARS:
        cut = text[:MAX_QUERY_CHARS]
        text = cut[:cut.rfind(" ")] if " " in cut else cut
    words = re.findall(r"[A-Za-z]+", text)
    if len(words) < 3:
        return None
    return text


def dedent(lines):
    margin = min((len(l) - len(l.lstrip()) for l in lines if l.strip()), default=0)
    return [l[margin:] if l.strip() else "" for l in lines]


def pair_of(source_lines, qualname, node):
    """(query, code) for a documented function with a non-trivial body, else None."""
    doc = ast.get_docstring(node, clean=True)
    if not doc or len(node.body) < 2:
        return None
    query = summary(doc)
    if query is None:
        return None
    first = node.decorator_list[0].lineno if node.decorator_list else node.lineno
    doc_node = node.body[0]
    if doc_node.lineno <= node.lineno:
        return None
    header = source_lines[node.lineno - 1:doc_node.lineno - 1]
    rest = source_lines[doc_node.end_lineno:node.end_lineno]
    if not any(l.strip() for l in rest):
        return None
    signature = " ".join(l.strip() for l in header)
    body = dedent(source_lines[first - 1:doc_node.lineno - 1] + rest)
    code = "\n".join([qualname, signature, "\n".join(body)])[:MAX_CODE_CHARS]
    return query, code, "\n".join(dedent(rest))[:MAX_CODE_CHARS]


TOP_LEVEL_RE = re.compile(r"^(?=@|def |async def |class )", re.M)
STRING_RE = re.compile(r'(?s)(\'\'\'.*?\'\'\'|""".*?""")')


def text_key(code):
    """Fallback normalised-code hash for code Python 3 cannot parse: the text from its first
    `def` on, triple-quoted strings, comments and all white space removed."""
    start = code.find("def ")
    body = STRING_RE.sub("", code[max(start, 0):])
    body = re.sub(r"#[^\n]*", "", body)
    return "t:" + hashlib.sha256(re.sub(r"\s+", "", body).encode("utf-8")).hexdigest()


def cosqa_keys(cosqa_dir):
    """Keys of every CoSQA corpus function: ast keys, and text keys of the top-level blocks that
    do not parse as Python 3 (the corpus has Python 2 code), parsed block by block."""
    keys = set()
    unparsed = 0
    for f in sorted(os.listdir(cosqa_dir)):
        if not f.endswith(".py"):
            continue
        with open(os.path.join(cosqa_dir, f), encoding="utf-8") as fh:
            source = fh.read()
        for block in TOP_LEVEL_RE.split(source):
            if not block.strip():
                continue
            try:
                with warnings.catch_warnings():
                    warnings.simplefilter("ignore")
                    tree = ast.parse(block)
                keys.update(k for _q, n in functions(tree) if (k := code_key(n)))
            except (SyntaxError, ValueError, RecursionError):
                unparsed += 1
                keys.add(text_key(block))
    return keys, unparsed


def candidates_of(source):
    """(name, counts, [(code key, text key, pair row)]) of one package or the stdlib, in file order.
    Cached in WORK/candidates/<name>.json (remove the folder after changing the extraction)."""
    name, base, is_stdlib, cache_dir = source
    cache = os.path.join(cache_dir, name + ".json")
    if os.path.exists(cache):
        with open(cache, encoding="utf-8") as f:
            return tuple(json.load(f))
    result = _candidates(name, base, is_stdlib)
    with open(cache + ".tmp", "w", encoding="utf-8") as f:
        json.dump(result, f, ensure_ascii=False)
    os.replace(cache + ".tmp", cache)
    return result


def _candidates(name, base, is_stdlib):
    found = {"files": 0, "files_unparsed": 0, "functions": 0, "documented_usable": 0}
    out = []
    for path in python_files(base, skip_site_packages=is_stdlib):
        found["files"] += 1
        source_text, tree = parse(path)
        if tree is None:
            found["files_unparsed"] += 1
            continue
        lines = source_text.splitlines()
        for qualname, node in functions(tree):
            found["functions"] += 1
            pair = pair_of(lines, qualname, node)
            if pair is None:
                continue
            found["documented_usable"] += 1
            key = code_key(node)
            if key is None:
                continue
            tkey = text_key("\n".join(lines[node.lineno - 1:node.end_lineno]))
            out.append((key, tkey, {"query": pair[0], "code": pair[1], "body": pair[2], "package": name,
                                    "path": os.path.relpath(path, base), "name": qualname}))
    return name, found, out


def main():
    root = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
    work = sys.argv[1] if len(sys.argv) > 1 else os.path.join(root, ".train-work")
    cosqa_dir = sys.argv[2] if len(sys.argv) > 2 else os.path.join(root, "..", "shared", "eval", "cosqa", "corpus")
    if not os.path.isdir(cosqa_dir):
        cosqa_dir = "/work/shared/eval/cosqa/corpus"
    t0 = time.time()
    with open(os.path.join(work, "packages.jsonl")) as f:
        packages = [json.loads(l) for l in f]
    excluded = {}
    for p in packages:
        if p["package"] in EXCLUDED:
            excluded[p["package"]] = "excluded package"
        else:
            hit = sorted(set(p["depends"]) & set(EXCLUDED))
            if hit:
                excluded[p["package"]] = "depends on " + ", ".join(hit)

    blocked, cosqa_unparsed = cosqa_keys(cosqa_dir)
    n_cosqa = len(blocked)
    vendored_keys = set()
    for name in EXCLUDED:
        for path in python_files(os.path.join(work, "src", name)):
            _src, tree = parse(path)
            if tree is not None:
                vendored_keys.update(k for _q, n in functions(tree) if (k := code_key(n)))
    print(f"keys: {n_cosqa} CoSQA functions ({cosqa_unparsed} Python 2 blocks keyed by text), {len(vendored_keys)} functions of the excluded packages",
          flush=True)

    cache_dir = os.path.join(work, "candidates")
    os.makedirs(cache_dir, exist_ok=True)
    sources = [("python3.11-stdlib", STDLIB_DIR, True, cache_dir)]
    sources += [(p["package"], os.path.join(work, "src", p["package"]), False, cache_dir)
                for p in packages if p["package"] not in excluded and p["py_files"]]
    counts = {"files": 0, "files_unparsed": 0, "functions": 0, "documented_usable": 0,
              "dropped_cosqa_match": 0, "dropped_vendored_match": 0, "dropped_duplicate": 0, "pairs": 0}
    per_package = {}
    seen = set()
    out_path = os.path.join(work, "pairs.jsonl")
    # Packages are read by worker processes but their candidates are filtered here, in the sorted
    # order of `sources`, so the output does not depend on the number of workers.
    with multiprocessing.Pool(WORKERS) as pool, open(out_path, "w", encoding="utf-8") as out:
        for name, found, candidates in pool.imap(candidates_of, sources, chunksize=4):
            for k in ("files", "files_unparsed", "functions", "documented_usable"):
                counts[k] += found[k]
            n_pairs = 0
            for key, tkey, row in candidates:
                if (key in blocked or tkey in blocked) and key not in vendored_keys:
                    counts["dropped_cosqa_match"] += 1
                    continue
                if key in vendored_keys:
                    counts["dropped_vendored_match"] += 1
                    continue
                if key in seen:
                    counts["dropped_duplicate"] += 1
                    continue
                seen.add(key)
                out.write(json.dumps(row, ensure_ascii=False) + "\n")
                n_pairs += 1
            counts["pairs"] += n_pairs
            per_package[name] = n_pairs
    used = [{"package": p["package"], "version": p["version"], "licences": p["licences"],
             "pairs": per_package.get(p["package"], 0)}
            for p in packages if p["package"] in per_package and per_package[p["package"]] > 0]
    licence_counts = {}
    for u in used:
        for lic in u["licences"] or ["(none declared)"]:
            licence_counts[lic] = licence_counts.get(lic, 0) + 1
    provenance = {
        "stdlib": {"path": STDLIB_DIR, "pairs": per_package.get("python3.11-stdlib", 0),
                   "licence": "PSF-2.0"},
        "packages_considered": len(packages),
        "packages_with_py": sum(1 for p in packages if p["py_files"]),
        "packages_with_pairs": len(used),
        "excluded_packages": [{"package": k, "reason": v} for k, v in sorted(excluded.items())],
        "counts": counts,
        "cosqa_corpus_keys": n_cosqa,
        "cosqa_blocks_keyed_by_text": cosqa_unparsed,
        "excluded_package_functions": len(vendored_keys),
        "licences_by_package_count": dict(sorted(licence_counts.items(), key=lambda kv: -kv[1])),
        "packages": used,
        "seconds": round(time.time() - t0),
    }
    with open(os.path.join(work, "provenance.json"), "w") as f:
        json.dump(provenance, f, indent=1, sort_keys=True)
    print(json.dumps({k: provenance[k] for k in ("packages_with_pairs", "counts", "seconds")}),
          flush=True)


if __name__ == "__main__":
    main()
