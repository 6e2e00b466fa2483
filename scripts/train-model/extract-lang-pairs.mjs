#!/usr/bin/env node
// Doc comment → code training pairs for one language other than Python, extracted with codesearch's
// own extraction (dist/, so `npx tsc -p tsconfig.json` first): the entities `codesearch index`
// finds, their doc comments as the language spec reads them (JSDoc, Go `//` above, Rust `///`,
// Javadoc, Ruby `#` above), and the text codesearch embeds with the doc comment left out
// (`prepareChunks` of the entity without its doc comment: qualified name, signature, source).
//
//   node scripts/train-model/extract-lang-pairs.mjs WORK LANGUAGE [--max-pairs N] [--max-package-pairs N]
//
// Reads WORK/langs/LANGUAGE/packages.jsonl and src/<package>/ (fetch_debs.py WORK LANGUAGE) and writes
// WORK/langs/LANGUAGE/pairs.jsonl (training), dev.jsonl (held-back packages: never trained on) and
// provenance.json (every package read with version, licences and pair count; exclusions and counts).
// Pair rows: {"query", "code", "body", "package", "path", "name", "language"} as extract_pairs.py's.
//
// Query side as for Python: the doc comment's first paragraph before any tag/section line, one line,
// at least three words, at most 300 characters. Code side: functions and methods whose source has at
// least three lines. Exclusions: the held-out libraries (EXCLUDED below, any version) and every
// package depending on one of them directly; any pair whose code equals a function of those
// libraries (vendored copies); test, generated and vendored files and directories; repeated code.
// Deterministic: packages are visited in the order of the SHA-1 of their names (so the caps sample
// across the archive, not its first letters), files in sorted order. The dev split is by package:
// a package whose name hashes below DEV_SHARE goes to dev.jsonl only.
import { createHash } from "node:crypto";
import { existsSync, readdirSync, readFileSync, statSync, writeFileSync } from "node:fs";
import { join, relative } from "node:path";
import { extractEntities, prepareChunks } from "../../dist/extract/index.js";
import { GENERATED_DIRS, TOOL_DIRS, isGeneratedFile, isTestCode, languageForPath } from "../../dist/lang/index.js";

const [work, language, ...rest] = process.argv.slice(2);
const option = (name, fallback) => {
  const at = rest.indexOf(name);
  return at === -1 ? fallback : Number(rest[at + 1]);
};
const MAX_PAIRS = option("--max-pairs", 60000);
const MAX_PACKAGE_PAIRS = option("--max-package-pairs", 300);
const MAX_DEV_PAIRS = option("--max-dev-pairs", 2000);
const MAX_DEV_PACKAGE_PAIRS = 40;
const MAX_FILES_PER_PACKAGE = option("--max-files", 600);
const MAX_FILE_BYTES = 400_000;
const MAX_QUERY_CHARS = 300;
const MAX_CODE_CHARS = 2048;
const DEV_SHARE = 0.05;

/** Languages each run reads: the JavaScript run takes the TypeScript files node-* packages ship too. */
const LANGUAGE_IDS = { go: ["go"], rust: ["rust"], javascript: ["javascript", "typescript"], java: ["java"], ruby: ["ruby"] };

/**
 * Held out (issue 20): Debian packages of the held-out libraries, any version. A package is excluded
 * when its name (Rust: its crate, version and features stripped) matches, or when it depends on one
 * directly. Rust crates of one repository go together (serde_derive is serde's).
 */
const EXCLUDED = {
  go: [/^golang-github-gin-gonic-gin(-v\d+)?-dev$/, /^golang-github-spf13-cobra(-v\d+)?-dev$/, /^golang-github-go-chi-chi(-v\d+)?-dev$/],
  rust: [/^(tokio|tokio-macros|tokio-util|tokio-stream|tokio-test|serde|serde-derive|serde-derive-internals|axum|axum-core|axum-macros|regex-syntax)$/],
  javascript: [/^node-(axios|express|redux|zod|vitest|commander|ampproject-remapping)$/, /^node-trpc(-.*)?$/, /^node-vitest(-.*)?$/],
  java: [/^lib(google-gson|commons-lang3?|jackson2-databind)-java$/],
  ruby: [],
};

/** The crate a librust-* package name stands for: `librust-serde-1+derive-dev` → `serde`. */
function crateOf(name) {
  const m = /^librust-(.+?)(?:-\d+(?:\.\d+)*)?(?:\+[^ ]*)?-dev$/.exec(name);
  return m === null ? null : m[1];
}

function isExcludedName(name) {
  const key = language === "rust" ? crateOf(name) : name;
  return key !== null && EXCLUDED[language].some((pattern) => pattern.test(key));
}

const SKIP_DIRS = new Set([...GENERATED_DIRS, ...TOOL_DIRS, "node_modules", "vendor", "vendored", "third_party", "thirdparty",
  "testdata", "test", "tests", "__tests__", "spec", "specs", "benches", "examples", "example", "fixtures", "dist", "build", "min"]);
const SECTION = /^\s*(@|#|\.\.|>>>|```|Example|Examples|Note|Notes|Arguments|Parameters|Returns|Panics|Errors|Safety|Deprecated|TODO|Copyright|SPDX|Usage)/i;

/** First paragraph of a doc comment before any tag or section, one line; null when unusable (the Python recipe's rule). */
export function summary(doc) {
  const lines = [];
  for (const raw of doc.trim().split("\n")) {
    const line = raw.replace(/^\s*\*\s?/, "");
    if (line.trim() === "" || SECTION.test(line)) {
      if (lines.length > 0) break;
      if (SECTION.test(line)) return null;
      continue;
    }
    lines.push(line.trim());
  }
  let text = lines.join(" ")
    .replace(/\{@(?:link|linkplain|code|literal|value)\s+([^}]*)\}/g, "$1")
    .replace(/<\/?[a-zA-Z][^>]*>/g, "")
    .replace(/&lt;/g, "<").replace(/&gt;/g, ">").replace(/&amp;/g, "&").replace(/&nbsp;/g, " ")
    .replace(/\s+/g, " ").trim();
  if (/^(eslint|istanbul|jshint|global |@ts-|prettier|c8 )/i.test(text)) return null;
  if (text.length > MAX_QUERY_CHARS) {
    const cut = text.slice(0, MAX_QUERY_CHARS);
    text = cut.includes(" ") ? cut.slice(0, cut.lastIndexOf(" ")) : cut;
  }
  return (text.match(/[A-Za-z]+/g) ?? []).length >= 3 ? text : null;
}

function dedent(lines) {
  const margin = Math.min(...lines.filter((l) => l.trim() !== "").map((l) => l.length - l.trimStart().length));
  return lines.map((l) => (l.trim() === "" ? "" : l.slice(Number.isFinite(margin) ? margin : 0)));
}

/** The statements after the header: the lines after the one opening the body (`{`, or the first line). */
function bodyOf(source) {
  const lines = source.split("\n");
  let start = language === "ruby" ? 0 : lines.findIndex((l) => l.includes("{"));
  if (start < 0) start = 0;
  return dedent(lines.slice(start + 1)).join("\n").trim();
}

function codeKey(source) {
  return createHash("sha1").update(source.replace(/\s+/g, "")).digest("hex");
}

function hashShare(name) {
  return parseInt(createHash("sha1").update(name).digest("hex").slice(0, 8), 16) / 2 ** 32;
}

/** Sorted source files of one language run under dir, skipping test, generated and vendored code. */
function sourceFiles(dir, base, out = []) {
  let names;
  try {
    names = readdirSync(dir, { withFileTypes: true }).sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  } catch {
    return out;
  }
  for (const entry of names) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) {
      if (!SKIP_DIRS.has(entry.name.toLowerCase()) && !entry.name.startsWith(".")) sourceFiles(path, base, out);
    } else if (entry.isFile()) {
      const rel = relative(base, path);
      const spec = languageForPath(rel);
      if (spec === null || !LANGUAGE_IDS[language].includes(spec.id)) continue;
      if (/\.d\.[mc]?ts$/.test(rel) || /[.-]min\.js$|\.bundle\.js$/.test(rel) || isGeneratedFile(rel)) continue;
      if (isTestCode({ path: rel, name: "", kind: "function", decorators: [] })) continue;
      out.push(rel);
    }
  }
  return out;
}

/** Candidate pairs of one package (or one JDK module), in file order. */
async function candidates(unit, base, stats, limit) {
  const rows = [];
  const files = sourceFiles(base, base).slice(0, MAX_FILES_PER_PACKAGE);
  for (const rel of files) {
    if (rows.length >= limit) break;
    let source;
    try {
      if (statSync(join(base, rel)).size > MAX_FILE_BYTES) continue;
      source = readFileSync(join(base, rel), "utf8");
    } catch {
      continue;
    }
    if (source.length > 2000 && source.split("\n").length < source.length / 500) continue; // minified
    stats.files++;
    let entities;
    try {
      ({ entities } = await extractEntities(rel, source));
    } catch {
      stats.files_unparsed++;
      continue;
    }
    for (const entity of entities) {
      if (entity.kind !== "function" && entity.kind !== "method") continue;
      stats.functions++;
      if (entity.docstring === null || entity.source.split("\n").length < 3) continue;
      if (isTestCode(entity)) continue;
      const query = summary(entity.docstring);
      if (query === null) continue;
      stats.documented_usable++;
      const [chunk] = prepareChunks([{ ...entity, docstring: null }], { maxChars: MAX_CODE_CHARS });
      const body = bodyOf(entity.source).slice(0, MAX_CODE_CHARS);
      rows.push({
        key: codeKey(entity.source),
        row: { query, code: chunk.text, body, package: unit, path: rel, name: entity.qualifiedName, language: entity.language },
      });
    }
  }
  return rows;
}

/** Units of one package: the package, or for a Java source archive each JDK module in it. */
function unitsOf(pkg, dir) {
  if (language !== "java") return [{ unit: pkg, base: dir }];
  const srcRoots = [];
  const walk = (d, depth) => {
    if (depth > 6) return;
    for (const e of readdirSync(d, { withFileTypes: true })) {
      if (!e.isDirectory()) continue;
      if (e.name === "src" && depth > 0) srcRoots.push(join(d, e.name));
      else walk(join(d, e.name), depth + 1);
    }
  };
  walk(dir, 0);
  const units = [];
  for (const root of srcRoots) {
    for (const e of readdirSync(root, { withFileTypes: true }).sort((a, b) => (a.name < b.name ? -1 : 1))) {
      if (e.isDirectory()) units.push({ unit: `${pkg}:${e.name}`, base: join(root, e.name) });
    }
  }
  return units.length > 0 ? units : [{ unit: pkg, base: dir }];
}

const t0 = Date.now();
const dir = join(work, "langs", language);
const packages = readFileSync(join(dir, "packages.jsonl"), "utf8").trim().split("\n").map((l) => JSON.parse(l));
const excluded = new Map();
for (const p of packages) {
  if (isExcludedName(p.package)) excluded.set(p.package, "excluded package");
  else {
    const hit = p.depends.filter(isExcludedName);
    if (hit.length > 0) excluded.set(p.package, `depends on ${[...new Set(hit)].sort().join(", ")}`);
  }
}
const stats = { files: 0, files_unparsed: 0, functions: 0, documented_usable: 0, dropped_vendored_match: 0, dropped_duplicate: 0, pairs: 0, dev_pairs: 0 };

// Keys of every function of the held-out libraries' own packages, to drop vendored copies elsewhere.
const vendoredKeys = new Set();
for (const p of packages.filter((q) => excluded.get(q.package) === "excluded package")) {
  for (const { unit, base } of unitsOf(p.package, join(dir, "src", p.package))) {
    for (const { key } of await candidates(unit, base, { files: 0, files_unparsed: 0, functions: 0, documented_usable: 0 }, Infinity)) vendoredKeys.add(key);
  }
}
console.log(`${language}: ${excluded.size} packages excluded, ${vendoredKeys.size} functions of the held-out libraries keyed`);

const order = packages
  .filter((p) => !excluded.has(p.package) && p.py_files > 0)
  .map((p) => ({ ...p, share: hashShare(p.package) }))
  .sort((a, b) => a.share - b.share || (a.package < b.package ? -1 : 1));
const seen = new Set();
const train = [];
const dev = [];
const perPackage = new Map();
let lastLog = Date.now();
for (const p of order) {
  const isDev = p.share < DEV_SHARE;
  if (isDev ? dev.length >= MAX_DEV_PAIRS : train.length >= MAX_PAIRS) continue;
  for (const { unit, base } of unitsOf(p.package, join(dir, "src", p.package))) {
    const unitDev = language === "java" ? hashShare(unit) < DEV_SHARE * 3 : isDev;
    const target = unitDev ? dev : train;
    const cap = unitDev ? MAX_DEV_PACKAGE_PAIRS : MAX_PACKAGE_PAIRS;
    const room = (unitDev ? MAX_DEV_PAIRS : MAX_PAIRS) - target.length;
    if (room <= 0) continue;
    let n = 0;
    for (const { key, row } of await candidates(unit, base, stats, Math.min(cap, room) * 3)) {
      if (n >= Math.min(cap, room)) break;
      if (vendoredKeys.has(key)) { stats.dropped_vendored_match++; continue; }
      if (seen.has(key)) { stats.dropped_duplicate++; continue; }
      seen.add(key);
      target.push({ ...row, split: unitDev ? "dev" : "train" });
      n++;
    }
    perPackage.set(p.package, (perPackage.get(p.package) ?? 0) + n);
  }
  if (Date.now() - lastLog > 30000) {
    lastLog = Date.now();
    console.log(`${language}: ${train.length} train, ${dev.length} dev pairs, ${stats.files} files, ${Math.round((Date.now() - t0) / 1000)} s`);
  }
}
stats.pairs = train.length;
stats.dev_pairs = dev.length;
const sortRows = (rows) => rows.sort((a, b) => (a.package < b.package ? -1 : a.package > b.package ? 1 : 0));
writeFileSync(join(dir, "pairs.jsonl"), sortRows(train).map((r) => JSON.stringify(r) + "\n").join(""));
writeFileSync(join(dir, "dev.jsonl"), sortRows(dev).map((r) => JSON.stringify(r) + "\n").join(""));
const devPackages = new Set(dev.map((r) => r.package.split(":")[0]));
const used = packages
  .filter((p) => (perPackage.get(p.package) ?? 0) > 0)
  .map((p) => ({ package: p.package, version: p.version, licences: p.licences, pairs: perPackage.get(p.package), split: devPackages.has(p.package) && language !== "java" ? "dev" : "train" }));
const licenceCounts = {};
for (const u of used) for (const lic of u.licences.length > 0 ? u.licences : ["(none declared)"]) licenceCounts[lic] = (licenceCounts[lic] ?? 0) + 1;
const provenance = {
  language,
  packages_considered: packages.length,
  packages_with_sources: packages.filter((p) => p.py_files > 0).length,
  packages_with_pairs: used.length,
  excluded_packages: [...excluded].sort().map(([pkg, reason]) => ({ package: pkg, reason })),
  excluded_package_functions: vendoredKeys.size,
  caps: { max_pairs: MAX_PAIRS, max_package_pairs: MAX_PACKAGE_PAIRS, max_dev_pairs: MAX_DEV_PAIRS, max_dev_package_pairs: MAX_DEV_PACKAGE_PAIRS, max_files_per_package: MAX_FILES_PER_PACKAGE, dev_share: DEV_SHARE },
  counts: stats,
  by_language: Object.fromEntries(LANGUAGE_IDS[language].map((id) => [id, train.filter((r) => r.language === id).length])),
  licences_by_package_count: Object.fromEntries(Object.entries(licenceCounts).sort((a, b) => b[1] - a[1])),
  packages: used,
  seconds: Math.round((Date.now() - t0) / 1000),
};
writeFileSync(join(dir, "provenance.json"), JSON.stringify(provenance, null, 1));
console.log(JSON.stringify({ language, counts: stats, by_language: provenance.by_language, packages_with_pairs: used.length, seconds: provenance.seconds }));
if (!existsSync(join(dir, "pairs.jsonl"))) process.exit(1);
