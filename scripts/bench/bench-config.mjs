// Paths, options, prerequisite checks and result files shared by the benchmark scripts of issue 4.
// Reads and writes only bench-results/ (and checks dist/, bench-corpus/, bench-models/); measures nothing.
import { execFileSync } from "node:child_process";
import { existsSync, mkdirSync, readFileSync, readdirSync, statSync, writeFileSync } from "node:fs";
import { createRequire } from "node:module";
import os from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { parseArgs } from "node:util";

// Cold-index and embedding figures must embed: every process a benchmark starts has the per-user
// shared embedding cache off, unless the caller set CODESEARCH_CACHE_DIR.
process.env.CODESEARCH_CACHE_DIR ??= "off";

/** Absolute path of the codesearch checkout (two levels above this file). */
export const REPO_ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../..");
/** The CLI entry the whole-process measurements run. */
export const CLI = path.join(REPO_ROOT, "bin", "codesearch.js");
/** The project's fast bag-of-words test model (768-d), used for the 100k-entity repository index. */
export const TEST_MODEL_DIR = path.join(REPO_ROOT, "fixtures", "model");
/** The demo repository `--smoke` measures instead of the corpus (`$CODESEARCH_BENCH_CORPUS` overrides: warm-reindex edits a file of it for a moment). */
const SMOKE_CORPUS = path.join(REPO_ROOT, "fixtures", "python");
/** `--smoke` on the command line: the harness runs on the committed fixtures (see {@link benchPlan}). */
const SMOKE = process.argv.includes("--smoke");
/**
 * The CodeBERT-shaped int8 benchmark model (absolute; recorded in indexes as is). With `--smoke`
 * it is the test model, so the harness runs on a fresh clone.
 */
export const BENCH_MODEL_DIR = SMOKE ? TEST_MODEL_DIR : path.join(REPO_ROOT, "bench-models", "codebert-shaped");
/** Root of the benchmark corpus: one folder per Debian package. */
export const CORPUS_SRC = path.join(REPO_ROOT, "bench-corpus", "src");
/** The package indexed alone with `--quick`: 2 files, 37 entities. */
export const QUICK_PACKAGE = "python3-markupsafe";

/**
 * Sizes of one benchmark run; `--quick` shrinks everything so the harness can be checked in
 * minutes; `--smoke` runs it in seconds on the committed demo repository and test model (the test
 * suite does, to prove every step still produces numbers; its numbers mean nothing).
 */
export function benchPlan(quick, smoke = SMOKE) {
  if (smoke) return { mode: "smoke", corpusRoot: process.env.CODESEARCH_BENCH_CORPUS ?? SMOKE_CORPUS, shapeSampleWindows: 1, warmRuns: 1, searchProcessRuns: 1, syntheticRows: 300, syntheticRepoEntities: 60, queryCount: 20, minQueries: 10, latencyPasses: 1 };
  return quick
    ? { mode: "quick", corpusRoot: path.join(CORPUS_SRC, QUICK_PACKAGE), shapeSampleWindows: 2, warmRuns: 3, searchProcessRuns: 3, syntheticRows: 2_000, syntheticRepoEntities: 2_000, queryCount: 50, minQueries: 50, latencyPasses: 1 }
    : { mode: "full", corpusRoot: CORPUS_SRC, shapeSampleWindows: 32, warmRuns: 5, searchProcessRuns: 5, syntheticRows: 100_000, syntheticRepoEntities: 100_000, queryCount: 60, minQueries: 50, latencyPasses: 3 };
}

/**
 * Parses the command line: `--quick`, `--help` and the script's own `options` (node:util
 * `parseArgs` format). Prints `usage` and exits 0 on `--help`; exits 2 on an unknown option.
 * @returns {{ plan: ReturnType<typeof benchPlan>, resultsDir: string, quick?: boolean, smoke?: boolean, help?: boolean, [option: string]: any }} the parsed values,
 *   plus `plan` ({@link benchPlan}) and `resultsDir`.
 */
export function parseBenchArgs(usage, options = {}) {
  let values;
  try {
    ({ values } = parseArgs({ options: { quick: { type: "boolean" }, smoke: { type: "boolean" }, help: { type: "boolean" }, ...options }, strict: true, allowPositionals: false }));
  } catch (error) {
    process.stderr.write(`${error.message}\n${usage}\n`);
    process.exit(2);
  }
  if (values.help) {
    process.stdout.write(`${usage}\n`);
    process.exit(0);
  }
  const plan = benchPlan(values.quick ?? false);
  return { ...values, plan, resultsDir: resultsDirFor(plan) };
}

/**
 * `bench-results/` for full runs, `bench-results/quick/` for `--quick` (so a check never
 * overwrites real numbers); `--smoke` writes to `$CODESEARCH_BENCH_RESULTS`, else `bench-results/smoke/`.
 */
export function resultsDirFor(plan) {
  if (plan.mode === "smoke") return process.env.CODESEARCH_BENCH_RESULTS ?? path.join(REPO_ROOT, "bench-results", "smoke");
  return plan.mode === "quick" ? path.join(REPO_ROOT, "bench-results", "quick") : path.join(REPO_ROOT, "bench-results");
}

/**
 * Exits 1 with the command that fixes it when the build output, the corpus or a model is missing.
 * @param needs which inputs the calling script uses: `dist`, `corpus`, `benchModel`, `testModel`.
 */
export function requireInputs(needs) {
  const problems = [];
  if (needs.includes("dist")) {
    const missing = ["cli/main.js", "discover/index.js", "extract/index.js", "embed/index.js", "store/index.js"].filter((f) => !existsSync(path.join(REPO_ROOT, "dist", f)));
    if (missing.length > 0) problems.push(`dist/ is missing ${missing.join(", ")}: run \`npm run build\` first`);
  }
  if (needs.includes("corpus") && !SMOKE && !(existsSync(CORPUS_SRC) && readdirSync(CORPUS_SRC).some((d) => d.startsWith("python3-")))) {
    problems.push(`the corpus is missing (${path.relative(REPO_ROOT, CORPUS_SRC)}): run \`bash scripts/bench/fetch-corpus.sh\``);
  }
  if (needs.includes("benchModel") && !existsSync(path.join(BENCH_MODEL_DIR, "onnx", "model_quantized.onnx"))) {
    problems.push(`the benchmark model is missing (${path.relative(REPO_ROOT, BENCH_MODEL_DIR)}/onnx/model_quantized.onnx): run \`/usr/bin/python3 scripts/bench/build-codebert-model.py\``);
  }
  if (needs.includes("testModel") && !existsSync(path.join(TEST_MODEL_DIR, "onnx", "model_quantized.onnx"))) {
    problems.push(`the test model is missing (fixtures/model): run \`npm run build:test-model\``);
  }
  if (problems.length === 0) return;
  for (const problem of problems) process.stderr.write(`bench: ${problem}\n`);
  process.exit(1);
}

/** Imports a module of the built project, e.g. `distModule("store/index.js")`. */
export function distModule(relative) {
  return import(path.join(REPO_ROOT, "dist", relative));
}

/** A require() resolving from @xenova/transformers' folder, where its nested onnxruntime-node 1.14 lives. */
function requireFromTransformers() {
  return createRequire(createRequire(path.join(REPO_ROOT, "package.json")).resolve("@xenova/transformers/package.json"));
}

/** `onnxruntime-node` as transformers.js 2.17 loads it (its nested copy, 1.14), and that copy's version. */
export function loadOnnxRuntime() {
  return { ort: requireFromTransformers()("onnxruntime-node"), version: onnxRuntimeVersion() };
}

/** Version of the onnxruntime-node that transformers.js 2.17 uses, read without loading it. */
function onnxRuntimeVersion() {
  return JSON.parse(readFileSync(requireFromTransformers().resolve("onnxruntime-node/package.json"), "utf8")).version;
}

/** Machine and input facts stated next to every result: CPU model, cores, Node, versions, load, commit. */
export function machineFacts(plan) {
  const versionOf = (name) => {
    const file = path.join(REPO_ROOT, "node_modules", ...name.split("/"), "package.json");
    return existsSync(file) ? JSON.parse(readFileSync(file, "utf8")).version : null;
  };
  let commit = null;
  let dirty = null;
  try {
    commit = execFileSync("git", ["rev-parse", "--short", "HEAD"], { cwd: REPO_ROOT, encoding: "utf8" }).trim();
    dirty = execFileSync("git", ["status", "--porcelain", "--", "src", "bin", "package.json"], { cwd: REPO_ROOT, encoding: "utf8" }).trim() !== "";
  } catch {
    // not a git checkout: the facts say null
  }
  const modelFile = path.join(BENCH_MODEL_DIR, "onnx", "model_quantized.onnx");
  return {
    cpuModel: os.cpus()[0]?.model ?? "unknown",
    cpuCount: os.cpus().length,
    availableParallelism: os.availableParallelism(),
    memoryBytes: os.totalmem(),
    loadAverage1m: os.loadavg()[0],
    node: process.version,
    platform: `${os.platform()} ${os.release()}`,
    transformersJs: versionOf("@xenova/transformers"),
    onnxruntimeNode: onnxRuntimeVersion(),
    lancedb: versionOf("@lancedb/lancedb"),
    model: BENCH_MODEL_DIR,
    modelFileBytes: existsSync(modelFile) ? statSync(modelFile).size : null,
    corpusRoot: plan.corpusRoot,
    corpusPackages: corpusPackages(),
    commit,
    workingTreeDirty: dirty,
    mode: plan.mode,
  };
}

/** `name version` of each fetched corpus package, from the .deb file names. */
function corpusPackages() {
  const debs = path.join(REPO_ROOT, "bench-corpus", "debs");
  if (!existsSync(debs)) return [];
  return readdirSync(debs)
    .filter((f) => f.endsWith(".deb"))
    .sort()
    .map((f) => f.split("_").slice(0, 2).join(" "));
}

/**
 * Writes `{ name, finishedAt, machine, ...data }` to `<resultsDir>/<name>.json` and returns its path.
 */
export function writeResult(resultsDir, name, plan, data) {
  mkdirSync(resultsDir, { recursive: true });
  const file = path.join(resultsDir, `${name}.json`);
  writeFileSync(file, `${JSON.stringify({ name, finishedAt: new Date().toISOString(), machine: machineFacts(plan), ...data }, null, 2)}\n`);
  return file;
}

/** The parsed `<resultsDir>/<name>.json`, or null when it does not exist. */
export function readResult(resultsDir, name) {
  const file = path.join(resultsDir, `${name}.json`);
  return existsSync(file) ? JSON.parse(readFileSync(file, "utf8")) : null;
}

/** Prints one human line of a script's output, prefixed with its name. */
export function say(name, line) {
  process.stdout.write(`[${name}] ${line}\n`);
}
