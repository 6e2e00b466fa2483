#!/usr/bin/env node
// Training questions for fitting ranking weights (issue 18), made by the project itself from
// libraries that are neither in the dev set (devsets/python/) nor held out, kept apart from both.
//
//   scripts/devsets/prepare-corpus.sh training && npm run build
//   node scripts/devsets/make-training-queries.mjs                       # every training library of libraries.tsv
//   node scripts/devsets/make-training-queries.mjs --libraries docutils,pygments --out devset-training
//
// Per library it writes, under --out (default devset-training/, git-ignored):
//   <library>/corpus/...   the library's sources with the docstring of every question's answer
//                          blanked (the docstring statement becomes `...` and blank lines, so no line
//                          moves): index this copy, never the original, or a question finds itself;
//   <library>.jsonl        the questions, in the dev sets' shape plus "source":
//     semantic / docstring: the summary of a function's, method's or class's docstring (the first
//       paragraph, as fusion calibration's docstringQuery cuts it) → that entity (file, qualname, span);
//     symbol / identifier: a public class, function or method (classes, functions and methods in
//       turn) named the way developers look it up ("ClassName", "where is the ClassName class",
//       "Class.method", "where is func defined") → that entity; only names defined once in the library;
//     architecture / module-docstring: the summary of a module docstring (reST titles and
//       copyright lines skipped) → the file;
//   SUMMARY.json           counts per library and source, and what was dropped and why.
// Sampling: entities ordered by a seeded hash of their id (--seed), at most --semantic, --symbol and
// --architecture questions per library. Test code (isTestCode) is never used.
import { createHash } from "node:crypto";
import { cpSync, existsSync, mkdirSync, readFileSync, readdirSync, rmSync, statSync, writeFileSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { parseArgs } from "node:util";
import { extractEntities, loadGrammarParser } from "../../dist/extract/index.js";
import { isTestCode, languageById } from "../../dist/lang/index.js";
import { docstringQuery } from "../../dist/rank/index.js";

const ROOT = fileURLToPath(new URL("../../", import.meta.url));
const HELD_OUT = new Set(["aiohttp", "fastapi", "flask", "httpx", "model2vec", "pydantic", "requests", "starlette", "click"]);
const { values: options } = parseArgs({
  options: {
    libraries: { type: "string" },
    corpus: { type: "string", default: path.join(ROOT, "devset-corpus") },
    out: { type: "string", default: path.join(ROOT, "devset-training") },
    seed: { type: "string", default: "codesearch-training-queries-1" },
    semantic: { type: "string", default: "400" },
    symbol: { type: "string", default: "200" },
    architecture: { type: "string", default: "100" },
  },
});
const CAPS = { semantic: Number(options.semantic), symbol: Number(options.symbol), architecture: Number(options.architecture) };

function fail(message) {
  console.error(`make-training-queries: ${message}`);
  process.exit(2);
}

/** The training libraries of libraries.tsv, or --libraries; never a dev-set or held-out library. */
function trainingLibraries() {
  const rows = readFileSync(path.join(ROOT, "scripts", "devsets", "libraries.tsv"), "utf8").split("\n").filter((l) => l && !l.startsWith("#")).map((l) => l.split("\t"));
  const devset = new Set(readdirSync(path.join(ROOT, "devsets", "python")).filter((f) => f.endsWith(".jsonl")).map((f) => f.replace(/\.jsonl$/, "")));
  const wanted = options.libraries ? options.libraries.split(",").map((s) => s.trim()).filter(Boolean) : rows.filter((r) => r[0] === "training").map((r) => r[1]);
  for (const lib of wanted) {
    if (devset.has(lib)) fail(`${lib} is in the dev set (devsets/python/${lib}.jsonl): training on it would tune on the dev set`);
    if (HELD_OUT.has(lib)) fail(`${lib} is held out by the project`);
    if (!existsSync(path.join(options.corpus, lib))) fail(`${path.join(options.corpus, lib)} not found: run scripts/devsets/prepare-corpus.sh training`);
  }
  return wanted;
}

function pythonFiles(dir, base = dir) {
  return readdirSync(dir)
    .sort()
    .flatMap((name) => {
      const full = path.join(dir, name);
      if (statSync(full).isDirectory()) return pythonFiles(full, base);
      return name.endsWith(".py") ? [path.relative(base, full).split(path.sep).join("/")] : [];
    });
}

const rank = (id) => createHash("sha256").update(`${options.seed}\0${id}`).digest("hex");

/**
 * Rows (0-based, inclusive) of the docstring statement of the module and of each definition,
 * keyed by the definition's 1-based start line ("module" for the module's).
 */
function docstringRows(root) {
  const rows = new Map();
  const first = (body) => body?.namedChildren.find((c) => c !== null && c.type !== "comment");
  const isDoc = (stmt) => stmt?.type === "expression_statement" && stmt.namedChildCount === 1 && ["string", "concatenated_string"].includes(stmt.namedChild(0)?.type);
  const moduleStmt = first(root);
  if (isDoc(moduleStmt)) rows.set("module", { start: moduleStmt.startPosition.row, end: moduleStmt.endPosition.row, text: moduleStmt.text });
  for (const def of root.descendantsOfType(["function_definition", "class_definition"])) {
    const stmt = first(def?.childForFieldName("body"));
    if (def && isDoc(stmt) && stmt.startPosition.row > def.startPosition.row) rows.set(def.startPosition.row + 1, { start: stmt.startPosition.row, end: stmt.endPosition.row });
  }
  return rows;
}

/** A module docstring's summary: the first paragraph that is not a reST title, an underline or a copyright/licence line. */
function moduleQuery(literal) {
  const body = literal.replace(/^[rRuUbB]*("""|'''|"|')/, "").replace(/("""|'''|"|')$/, "");
  const paragraphs = body.split(/\n\s*\n/).map((p) => p.split("\n").map((l) => l.trim()).filter((l) => l && !/^[=~\-^*#:.`'"+_]{3,}$/.test(l)).join(" "));
  const usable = paragraphs.find((p) => p && !/^[\w.:`]+(\s*[-:]\s*)?$/.test(p) && !/copyright|licen[cs]e|:author:|^\$Id/i.test(p));
  return usable ? docstringQuery(usable) : null;
}

/** Deterministic phrasing of an identifier question for `entity`. */
function symbolQuery(entity) {
  const pick = parseInt(rank(`phrase:${entity.id}`).slice(0, 8), 16) % 3;
  if (entity.kind === "class") return [entity.name, `where is the ${entity.name} class`, `${entity.name} class`][pick];
  if (entity.kind === "method") return [entity.qualifiedName, entity.qualifiedName, `${entity.qualifiedName} method`][pick];
  return [entity.name, `where is ${entity.name} defined`, entity.name][pick];
}

/** `entities` (in sampling order) taken class, function, method in turn, so methods, the most numerous, do not crowd out the rest. */
function interleaveKinds(entities) {
  const queues = ["class", "function", "method"].map((kind) => entities.filter((e) => (kind === "class" ? e.kind === "class" : e.kind === kind)));
  const out = [];
  for (let i = 0; queues.some((q) => i < q.length); i++) for (const q of queues) if (i < q.length) out.push(q[i]);
  return out;
}

const answer = (e) => ({ file: e.path, qualname: e.qualifiedName, start_line: e.startLine, end_line: e.endLine, ...(e.decoratorLine ? { decorated_start_line: e.decoratorLine } : {}) });

async function makeLibrary(lib, parser) {
  const source = path.join(options.corpus, lib);
  const corpus = path.join(options.out, lib, "corpus");
  rmSync(path.join(options.out, lib), { recursive: true, force: true });
  cpSync(source, corpus, { recursive: true });
  const files = [];
  for (const file of pythonFiles(source)) {
    const text = readFileSync(path.join(source, file), "utf8");
    const { entities } = await extractEntities(file, text);
    const rows = parser.parse(text.replace(/^\uFEFF/, "").replace(/\r\n?/g, "\n"), docstringRows);
    files.push({ file, text, entities: entities.map((e) => ({ ...e, id: `${file}:${e.startLine}:${e.qualifiedName}` })), rows });
  }
  const dropped = { testCode: 0, noUsableDocstring: 0, nameNotUnique: 0, privateName: 0, docstringOnDefLine: 0 };
  const all = files.flatMap((f) => f.entities.map((e) => ({ ...e, rows: f.rows })));
  const usable = all.filter((e) => {
    const test = isTestCode({ path: e.path, kind: e.kind, name: e.name });
    if (test) dropped.testCode++;
    return !test;
  });
  const byRank = (a, b) => (rank(a.id) < rank(b.id) ? -1 : 1);
  const semantic = [];
  for (const e of [...usable].sort(byRank)) {
    if (semantic.length >= CAPS.semantic) break;
    const query = e.docstring ? docstringQuery(e.docstring) : null;
    if (query === null) { dropped.noUsableDocstring++; continue; }
    if (!e.rows.has(e.startLine)) { dropped.docstringOnDefLine++; continue; }
    semantic.push({ query, category: "semantic", source: "docstring", relevant: [answer(e)], blank: { file: e.path, ...e.rows.get(e.startLine) } });
  }
  const nameCount = new Map();
  for (const e of all) for (const key of new Set([e.name, e.qualifiedName])) nameCount.set(key, (nameCount.get(key) ?? 0) + 1);
  const symbol = [];
  for (const e of interleaveKinds([...usable].sort(byRank))) {
    if (symbol.length >= CAPS.symbol) break;
    if (e.name.startsWith("_")) { dropped.privateName++; continue; }
    const key = e.kind === "method" ? e.qualifiedName : e.name;
    if (nameCount.get(key) !== 1 || (e.kind !== "method" && e.qualifiedName !== e.name)) { dropped.nameNotUnique++; continue; }
    symbol.push({ query: symbolQuery(e), category: "symbol", source: "identifier", relevant: [answer(e)] });
  }
  const architecture = [];
  for (const f of [...files].sort((a, b) => byRank({ id: a.file }, { id: b.file }))) {
    if (architecture.length >= CAPS.architecture) break;
    const doc = f.rows.get("module");
    const query = doc ? moduleQuery(doc.text) : null;
    if (query === null || isTestCode({ path: f.file, kind: "function", name: "module" })) continue;
    architecture.push({ query, category: "architecture", source: "module-docstring", relevant: [{ file: f.file }], blank: { file: f.file, ...doc } });
  }
  blankDocstrings(corpus, [...semantic, ...architecture].map((q) => q.blank));
  await updateEndLines(corpus, [...semantic, ...symbol]);
  const questions = [...architecture, ...semantic, ...symbol].map(({ blank: _blank, ...q }, i) => ({ id: `${lib}-train-${String(i + 1).padStart(4, "0")}`, ...q }));
  writeFileSync(path.join(options.out, `${lib}.jsonl`), questions.map((q) => JSON.stringify(q)).join("\n") + "\n");
  return { files: files.length, entities: all.length, questions: { architecture: architecture.length, semantic: semantic.length, symbol: symbol.length }, dropped };
}

/**
 * Sets each answer's end line to its entity's in the blanked copy (a definition whose docstring
 * ended it is shorter there; start lines do not move).
 */
async function updateEndLines(corpus, questions) {
  const ends = new Map();
  for (const file of new Set(questions.map((q) => q.relevant[0].file))) {
    const { entities } = await extractEntities(file, readFileSync(path.join(corpus, file), "utf8"));
    for (const e of entities) ends.set(`${file}:${e.startLine}:${e.qualifiedName}`, e.endLine);
  }
  for (const q of questions) {
    const a = q.relevant[0];
    a.end_line = ends.get(`${a.file}:${a.start_line}:${a.qualname}`) ?? a.end_line;
  }
}

/** Replaces each docstring statement by `...` on its first row and blank rows after it, in the corpus copy. */
function blankDocstrings(corpus, blanks) {
  const byFile = new Map();
  for (const b of blanks) byFile.set(b.file, [...(byFile.get(b.file) ?? []), b]);
  for (const [file, list] of byFile) {
    const full = path.join(corpus, file);
    const lines = readFileSync(full, "utf8").replace(/^\uFEFF/, "").replace(/\r\n?/g, "\n").split("\n");
    for (const { start, end } of list) {
      const indent = lines[start].match(/^\s*/)[0];
      for (let row = start; row <= end; row++) lines[row] = row === start ? `${indent}...` : "";
    }
    writeFileSync(full, lines.join("\n"));
  }
}

const python = languageById("python");
const parser = await loadGrammarParser(python.grammar, python.definitionsQuery);
const summary = { seed: options.seed, caps: CAPS, libraries: {} };
for (const lib of trainingLibraries()) {
  summary.libraries[lib] = await makeLibrary(lib, parser);
  const q = summary.libraries[lib].questions;
  console.error(`make-training-queries: ${lib}: ${q.architecture} architecture, ${q.semantic} semantic, ${q.symbol} symbol questions → ${path.relative(ROOT, path.join(options.out, `${lib}.jsonl`))}`);
}
mkdirSync(options.out, { recursive: true });
writeFileSync(path.join(options.out, "SUMMARY.json"), `${JSON.stringify(summary, null, 1)}\n`);
