#!/usr/bin/python3
"""Download Debian 12's source-bearing packages of one language and unpack their sources.

Reads the package index apt already has (``apt-get update`` first), picks the language's
binary packages of ``main`` (see LANGUAGES: every ``python3-*`` except ``-dbg``/``-doc``,
``golang-*-dev`` plus Go's own ``golang-1.19-src``, ``librust-*-dev``, ``node-*``, ``ruby-*``,
and for Java the JDK's and JavaFX's source archives), downloads the candidate versions with
``apt-get download`` and unpacks only their source files (and copyright files) with
``dpkg-deb --fsys-tarfile | tar`` (Java: the ``src.zip`` inside, unzipped).

Output (under WORK, default ``.train-work`` at the repository root, git-ignored; for a
language other than Python under WORK/langs/<language>/):
  debs/<file>.deb             the downloaded packages
  src/<package>/...           their source files, paths as installed
  packages.jsonl              one line per package: name, version, architecture,
                              depends (names), licence hint (from copyright), source file count
                              (key ``py_files`` for every language, as before)
Deterministic: packages are processed in sorted name order; re-running skips
debs already present.

Usage: /usr/bin/python3 scripts/train-model/fetch_debs.py [WORK] [LANGUAGE]   (default python)
"""

import glob
import json
import os
import re
import subprocess
import sys
import time

EXCLUDED_SUFFIXES = ("-dbg", "-doc", "-dbgsym")

# language -> (apt name prefix, name filter, extra packages, file globs unpacked)
LANGUAGES = {
    "python": ("python3-", lambda n: True, [], ["*.py"]),
    "go": ("golang-", lambda n: n.endswith("-dev"), ["golang-1.19-src"], ["*.go"]),
    "rust": ("librust-", lambda n: n.endswith("-dev"), [], ["*.rs"]),
    "javascript": ("node-", lambda n: True, [], ["*.js", "*.mjs", "*.cjs", "*.ts", "*.mts", "*.cts", "*.tsx", "*.jsx"]),
    "ruby": ("ruby-", lambda n: True, [], ["*.rb"]),
    "java": (None, lambda n: True, ["openjdk-17-source", "openjfx-source"], ["*.zip", "*.java"]),
}


def package_names(language="python"):
    """Names of the language's packages known to apt's main index, sorted."""
    prefix, keep, extra, _globs = LANGUAGES[language]
    out = []
    if prefix:
        out = subprocess.run(["apt-cache", "pkgnames", prefix], check=True,
                             capture_output=True, text=True).stdout.split()
    names = sorted(set(n for n in out if not n.endswith(EXCLUDED_SUFFIXES) and keep(n)) | set(extra))
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


def fields(deb):
    """The control fields of a .deb (one dpkg-deb call), name -> value."""
    r = subprocess.run(["dpkg-deb", "-f", deb], capture_output=True, text=True)
    out, last = {}, None
    for line in r.stdout.splitlines():
        if line[:1] in (" ", "\t") and last:
            out[last] += " " + line.strip()
        elif ":" in line:
            last, value = line.split(":", 1)
            out[last] = value.strip()
    return out


def dep_names(depends):
    names = []
    for part in depends.split(","):
        for alt in part.split("|"):
            alt = alt.strip().split(" ")[0].split(":")[0]
            if alt:
                names.append(alt)
    return sorted(set(names))


LICENCE_RE = re.compile(r"^License:\s*(\S.*)$", re.M)


def unpack(deb, dest, globs=("*.py",)):
    """Extract the source files and the copyright file; return (source file count, licences)."""
    os.makedirs(dest, exist_ok=True)
    patterns = " ".join(f"'{g}'" for g in globs)
    cmd = (f"dpkg-deb --fsys-tarfile '{deb}' | tar -x -C '{dest}' --wildcards "
           f"--no-anchored {patterns} '*/copyright' 2>/dev/null; true")
    subprocess.run(["bash", "-c", cmd], check=True)
    for z in glob.glob(os.path.join(dest, "**", "src.zip"), recursive=True):  # Java source archives
        subprocess.run(["unzip", "-q", "-o", z, "*.java", "-d", z[:-4]], capture_output=True)
        os.remove(z)
    suffixes = tuple(g[1:] for g in globs if g != "*.zip")
    licences = []
    for cp in glob.glob(os.path.join(dest, "usr/share/doc/*/copyright")):
        with open(cp, encoding="utf-8", errors="replace") as f:
            licences += [m.strip() for m in LICENCE_RE.findall(f.read())]
    count = 0
    for _root, _dirs, files in os.walk(dest):
        count += sum(1 for f in files if f.endswith(suffixes))
    return count, sorted(set(licences))


def main():
    root = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
    work = sys.argv[1] if len(sys.argv) > 1 else os.path.join(root, ".train-work")
    language = sys.argv[2] if len(sys.argv) > 2 else "python"
    globs = LANGUAGES[language][3]
    if language != "python":
        work = os.path.join(work, "langs", language)
    debs_dir = os.path.join(work, "debs")
    names = package_names(language)
    print(f"packages: {len(names)} {language} candidates", flush=True)
    download(names, debs_dir)
    t0 = time.time()
    rows = []
    for deb in sorted(glob.glob(os.path.join(debs_dir, "*.deb"))):
        control = fields(deb)
        pkg = control.get("Package", os.path.basename(deb).split("_")[0])
        dest = os.path.join(work, "src", pkg)
        marker = dest + ".done.json"
        if os.path.exists(marker):
            with open(marker) as f:
                rows.append(json.load(f))
            continue
        count, licences = unpack(deb, dest, globs)
        row = {"package": pkg, "version": control.get("Version", ""),
               "architecture": control.get("Architecture", ""),
               "depends": dep_names(control.get("Depends", "") + "," + control.get("Pre-Depends", "")),
               "licences": licences, "py_files": count}
        with open(marker, "w") as f:
            json.dump(row, f)
        rows.append(row)
    rows.sort(key=lambda r: r["package"])
    with open(os.path.join(work, "packages.jsonl"), "w") as f:
        for r in rows:
            f.write(json.dumps(r, sort_keys=True) + "\n")
    with_py = sum(1 for r in rows if r["py_files"])
    print(f"unpack: {len(rows)} packages, {with_py} with {language} files, {time.time() - t0:.0f} s",
          flush=True)


if __name__ == "__main__":
    main()
