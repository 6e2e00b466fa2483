// Compares chokidar and @parcel/watcher on this machine for what codesearch's watch mode needs:
// events for an editor's atomic save (write temp + rename), a delete, a rename, a 2,000-file
// `git checkout`, and the start-up time and memory on a large tree. Prints one JSON object.
//
//   npm install --no-save chokidar@5.0.0     # @parcel/watcher is a dependency; chokidar is not
//   node scripts/bench/watcher-choice.mjs [--dirs 2000] [--files-per-dir 10]
//
// Each scenario runs against a fresh watcher; events are collected until 1 s passes without one.
// "startup" starts each library on trees of 20,000 and 50,000 files in a child process
// (--expose-gc) and reports the time to ready and the RSS and heap growth after a full GC.
import { execFileSync } from "node:child_process";
import { performance } from "node:perf_hooks";
import { mkdtempSync, mkdirSync, rmSync, renameSync, unlinkSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { setTimeout as sleep } from "node:timers/promises";

const args = process.argv.slice(2);
const arg = (name, fallback) => {
  const i = args.indexOf(name);
  return i >= 0 ? Number(args[i + 1]) : fallback;
};
const DIRS = arg("--dirs", 2000);
const FILES_PER_DIR = arg("--files-per-dir", 10);
const QUIET_MS = 1000;

// gc.auto=0: a background `git gc` would still be writing into .git when the tree is removed.
const git = (cwd, ...a) => execFileSync("git", ["-c", "gc.auto=0", ...a], { cwd, stdio: ["ignore", "pipe", "pipe"] }).toString();
const removeTree = (root) => rmSync(root, { recursive: true, force: true, maxRetries: 5, retryDelay: 200 });

/** A git repository with `main` and `other`; `other` edits 1,000 files, adds 500 and deletes 500 (2,000 paths). */
function makeRepo(dirs, filesPerDir, withBranch) {
  const root = mkdtempSync(path.join(os.tmpdir(), "watcher-choice-"));
  for (let d = 0; d < dirs; d++) {
    mkdirSync(path.join(root, `pkg_${d}`));
    for (let f = 0; f < filesPerDir; f++) writeFileSync(path.join(root, `pkg_${d}`, `m_${f}.py`), `def f_${d}_${f}():\n    return ${f}\n`);
  }
  git(root, "init", "-q", "-b", "main");
  git(root, "-c", "user.email=b@b", "-c", "user.name=b", "add", "-A");
  git(root, "-c", "user.email=b@b", "-c", "user.name=b", "commit", "-q", "-m", "main");
  if (!withBranch) return root;
  git(root, "checkout", "-q", "-b", "other");
  for (let i = 0; i < 1000; i++) writeFileSync(path.join(root, `pkg_${i % dirs}`, `m_${Math.floor(i / dirs) % filesPerDir}.py`), `def edited_${i}():\n    return ${i}\n`);
  for (let i = 0; i < 500; i++) writeFileSync(path.join(root, `pkg_${i % dirs}`, `new_${i}.py`), `def added_${i}():\n    return ${i}\n`);
  for (let i = 0; i < 500; i++) unlinkSync(path.join(root, `pkg_${(dirs - 1 - i + dirs) % dirs}`, `m_${filesPerDir - 1}.py`));
  git(root, "-c", "user.email=b@b", "-c", "user.name=b", "add", "-A");
  git(root, "-c", "user.email=b@b", "-c", "user.name=b", "commit", "-q", "-m", "other");
  git(root, "checkout", "-q", "main");
  return root;
}

const ignoredDir = (p) => p.split(path.sep).includes(".git");

const LIBS = {
  async chokidar(root, onEvent, onError) {
    // chokidar is installed only for this comparison (`npm install --no-save chokidar@5.0.0`): a
    // specifier in a variable keeps the type check from requiring it.
    const chokidarPackage = "chokidar";
    const { watch } = await import(chokidarPackage);
    const started = performance.now();
    const watcher = watch(root, { ignoreInitial: true, ignored: (p) => ignoredDir(p) });
    watcher.on("all", (type, p) => onEvent(type, p));
    watcher.on("error", onError);
    await new Promise((resolve) => watcher.once("ready", resolve));
    return { readyMs: performance.now() - started, close: () => watcher.close() };
  },
  async "@parcel/watcher"(root, onEvent, onError) {
    const watcher = await import("@parcel/watcher");
    const started = performance.now();
    const sub = await watcher.subscribe(root, (error, events) => {
      if (error) onError(error);
      for (const e of events) onEvent(e.type, e.path);
    }, { ignore: [".git"] });
    return { readyMs: performance.now() - started, close: () => sub.unsubscribe() };
  },
};

async function waitQuiet(state) {
  for (;;) {
    const before = state.events.length;
    await sleep(QUIET_MS);
    if (state.events.length === before) return;
  }
}

async function scenario(libName, root, act) {
  const state = { events: [], errors: [], firstAt: null, lastAt: null };
  const rssBefore = process.memoryUsage().rss;
  const w = await LIBS[libName](root, (type, p) => {
    const now = performance.now();
    state.firstAt ??= now;
    state.lastAt = now;
    state.events.push({ type, path: path.relative(root, p) });
  }, (e) => state.errors.push(String(e?.message ?? e)));
  await sleep(200);
  const actedAt = performance.now();
  await act(root);
  await waitQuiet(state);
  await w.close();
  const types = {};
  for (const e of state.events) types[e.type] = (types[e.type] ?? 0) + 1;
  return {
    readyMs: Math.round(w.readyMs),
    rssDeltaMb: Math.round((process.memoryUsage().rss - rssBefore) / 2 ** 20),
    events: state.events.length,
    types,
    distinctPaths: new Set(state.events.map((e) => e.path)).size,
    firstEventMs: state.firstAt === null ? null : Math.round(state.firstAt - actedAt),
    spreadMs: state.firstAt === null ? null : Math.round(state.lastAt - state.firstAt),
    sample: state.events.slice(0, 4),
    errors: state.errors,
  };
}

const SCENARIOS = {
  "atomic save (write temp, rename over)": (root) => {
    const target = path.join(root, "pkg_0", "m_0.py");
    writeFileSync(`${target}.tmp~`, "def saved():\n    return 1\n");
    renameSync(`${target}.tmp~`, target);
  },
  "delete": (root) => unlinkSync(path.join(root, "pkg_1", "m_0.py")),
  "rename": (root) => renameSync(path.join(root, "pkg_2", "m_0.py"), path.join(root, "pkg_2", "renamed.py")),
  "new directory with a file": (root) => {
    mkdirSync(path.join(root, "fresh"));
    writeFileSync(path.join(root, "fresh", "a.py"), "def a():\n    pass\n");
  },
  "git checkout touching 2,000 files": (root) => git(root, "checkout", "-q", "other"),
};

/** A tree of dirs × filesPerDir one-line files, for the start-up measurement. */
function makeFlatTree(dirs, filesPerDir) {
  const root = mkdtempSync(path.join(os.tmpdir(), "watcher-startup-"));
  for (let d = 0; d < dirs; d++) {
    mkdirSync(path.join(root, `p${d}`));
    for (let f = 0; f < filesPerDir; f++) writeFileSync(path.join(root, `p${d}`, `m${f}.py`), "x = 1\n");
  }
  return root;
}

/** In a child process: start `lib` on the tree at `root`; print {readyMs, rssMb, heapMb}. */
async function startupChild(lib, root) {
  globalThis.gc();
  const before = process.memoryUsage();
  const w = await LIBS[lib](root, () => {}, () => {});
  globalThis.gc();
  const after = process.memoryUsage();
  await w.close();
  process.stdout.write(JSON.stringify({ readyMs: Math.round(w.readyMs), rssMb: Math.round((after.rss - before.rss) / 2 ** 20), heapMb: Math.round((after.heapUsed - before.heapUsed) / 2 ** 20) }));
}

if (args[0] === "--startup-child") {
  await startupChild(args[1], args[2]);
  process.exit(0);
}

const STARTUP_TREES = [[2000, 10], [2500, 20]].map(([dirs, perDir]) => ({ label: `${dirs * perDir} files in ${dirs} dirs`, root: makeFlatTree(dirs, perDir) }));
const results = { machine: { cpus: os.cpus().length, node: process.version, platform: `${os.platform()} ${os.release()}` }, tree: { dirs: DIRS, files: DIRS * FILES_PER_DIR }, libs: {} };
for (const lib of Object.keys(LIBS)) {
  try {
    await import(lib === "chokidar" ? "chokidar" : "@parcel/watcher");
  } catch {
    results.libs[lib] = { missing: `not installed (npm install --no-save ${lib})` };
    continue;
  }
  results.libs[lib] = { startup: {} };
  for (const tree of STARTUP_TREES) {
    const out = execFileSync(process.execPath, ["--expose-gc", import.meta.filename, "--startup-child", lib, tree.root]);
    results.libs[lib].startup[tree.label] = JSON.parse(out.toString());
  }
  for (const [name, act] of Object.entries(SCENARIOS)) {
    const big = name.startsWith("git");
    const root = makeRepo(big ? DIRS : 50, big ? FILES_PER_DIR : 4, big);
    try {
      results.libs[lib][name] = await scenario(lib, root, act);
    } finally {
      removeTree(root);
    }
  }
}
for (const tree of STARTUP_TREES) removeTree(tree.root);
process.stdout.write(`${JSON.stringify(results, null, 2)}\n`);
