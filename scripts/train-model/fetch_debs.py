#!/usr/bin/python3
"""Download Debian 12's python3-* packages and unpack their Python sources.

Reads the package index apt already has (``apt-get update`` first), picks every
``python3-*`` binary package of ``main`` except ``-dbg``/``-doc`` ones, downloads
the candidate versions with ``apt-get download`` and unpacks only their ``*.py``
files with ``dpkg-deb --fsys-tarfile | tar``.

Output (under WORK, default ``.train-work`` at the repository root, git-ignored):
  debs/<file>.deb             the downloaded packages
  src/<package>/...           their ``*.py`` files, paths as installed
  packages.jsonl              one line per package: name, version, architecture,
                              depends (names), licence hint (from copyright), py file count
Deterministic: packages are processed in sorted name order; re-running skips
debs already present.

Usage: /usr/bin/python3 scripts/train-model/fetch_debs.py [WORK]
"""

import glob
import json
import os
import re
import subprocess
import sys
import time

EXCLUDED_SUFFIXES = ("-dbg", "-doc", "-dbgsym")


def package_names():
    """Names of python3-* packages known to apt's main index, sorted."""
    out = subprocess.run(["apt-cache", "pkgnames", "python3-"], check=True,
                         capture_output=True, text=True).stdout.split()
    names = sorted(n for n in out if not n.endswith(EXCLUDED_SUFFIXES))
    # keep only real packages (pkgnames also lists some virtual ones)
    shown = subprocess.run(["apt-cache", "show", "--no-all-versions", *names],
                           capture_output=True, text=True).stdout
    real = set(re.findall(r"^Package: (\S+)$", shown, re.M))
    return [n for n in names if n in real]


def download(names, debs_dir):
    os.makedirs(debs_dir, exist_ok=True)
    have = {os.path.basename(p).split("_")[0] for p in glob.glob(os.path.join(debs_dir, "*.deb"))}
    todo = [n for n in names if n not in have]
    t0 = time.time()
    for i in range(0, len(todo), 200):
        chunk = todo[i:i + 200]
        r = subprocess.run(["apt-get", "download", "-qq", *chunk], cwd=debs_dir,
                           capture_output=True, text=True)
        if r.returncode != 0:  # one bad name fails the batch: retry one by one
            for n in chunk:
                subprocess.run(["apt-get", "download", "-qq", n], cwd=debs_dir,
                               capture_output=True, text=True)
    size = sum(os.path.getsize(p) for p in glob.glob(os.path.join(debs_dir, "*.deb")))
    print(f"download: {len(todo)} fetched, {size / 1e6:.0f} MB on disk, {time.time() - t0:.0f} s",
          flush=True)


def field(deb, name):
    r = subprocess.run(["dpkg-deb", "-f", deb, name], capture_output=True, text=True)
    return r.stdout.strip()


def dep_names(depends):
    names = []
    for part in depends.split(","):
        for alt in part.split("|"):
            alt = alt.strip().split(" ")[0].split(":")[0]
            if alt:
                names.append(alt)
    return sorted(set(names))


LICENCE_RE = re.compile(r"^License:\s*(\S.*)$", re.M)


def unpack(deb, dest):
    """Extract *.py files and the copyright file; return (py count, licences)."""
    os.makedirs(dest, exist_ok=True)
    cmd = (f"dpkg-deb --fsys-tarfile '{deb}' | tar -x -C '{dest}' --wildcards "
           f"--no-anchored '*.py' '*/copyright' 2>/dev/null; true")
    subprocess.run(["bash", "-c", cmd], check=True)
    licences = []
    for cp in glob.glob(os.path.join(dest, "usr/share/doc/*/copyright")):
        with open(cp, encoding="utf-8", errors="replace") as f:
            licences += [m.strip() for m in LICENCE_RE.findall(f.read())]
    count = 0
    for _root, _dirs, files in os.walk(dest):
        count += sum(1 for f in files if f.endswith(".py"))
    return count, sorted(set(licences))


def main():
    root = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
    work = sys.argv[1] if len(sys.argv) > 1 else os.path.join(root, ".train-work")
    debs_dir = os.path.join(work, "debs")
    names = package_names()
    print(f"packages: {len(names)} python3-* candidates", flush=True)
    download(names, debs_dir)
    t0 = time.time()
    rows = []
    for deb in sorted(glob.glob(os.path.join(debs_dir, "*.deb"))):
        pkg = field(deb, "Package")
        dest = os.path.join(work, "src", pkg)
        marker = dest + ".done.json"
        if os.path.exists(marker):
            with open(marker) as f:
                rows.append(json.load(f))
            continue
        count, licences = unpack(deb, dest)
        row = {"package": pkg, "version": field(deb, "Version"),
               "architecture": field(deb, "Architecture"),
               "depends": dep_names(field(deb, "Depends") + "," + field(deb, "Pre-Depends")),
               "licences": licences, "py_files": count}
        with open(marker, "w") as f:
            json.dump(row, f)
        rows.append(row)
    rows.sort(key=lambda r: r["package"])
    with open(os.path.join(work, "packages.jsonl"), "w") as f:
        for r in rows:
            f.write(json.dumps(r, sort_keys=True) + "\n")
    with_py = sum(1 for r in rows if r["py_files"])
    print(f"unpack: {len(rows)} packages, {with_py} with .py files, {time.time() - t0:.0f} s",
          flush=True)


if __name__ == "__main__":
    main()
