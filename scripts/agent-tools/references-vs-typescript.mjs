#!/usr/bin/env node
// Compares codesearch's references with the TypeScript compiler's findReferences on a TypeScript
// or JavaScript package (issue 21: references per language against a type-aware reference).
//
// Usage: node scripts/agent-tools/references-vs-typescript.mjs REPO [--sample N] [--seed S] [--no-index]
//
// REPO is a folder holding the package's sources (e.g. a copy of node_modules/apache-arrow/src, or
// of semver's .js files). The script indexes it with the committed test model (fixtures/model:
// references do not depend on the model) through the CLI, opens the index as the MCP server does,
// samples up to N module-level functions/classes/types and N methods (seeded), and for each asks
// the TypeScript language service (npm `typescript`, the project's compiler; JavaScript with
// allowJs) for the references of the definition's name, and codesearch's findReferences (the
// code behind `codesearch refs` and MCP `references`). A reference is the (file, line, column) of
// a name, inside REPO; the definition itself is left out. Prints one JSON object: per group,
// micro-averaged precision and recall of codesearch's resolved references ("high confidence") and
// of all its references (resolved + name-match), against the compiler.
import { execFileSync } from "node:child_process";
import { readFileSync, readdirSync, rmSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import ts from "typescript";

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..", "..");
const args = process.argv.slice(2);
const option = (name, fallback) => {
  const at = args.indexOf(name);
  return at === -1 ? fallback : args[at + 1];
};
const repo = path.resolve(args.find((arg, i) => !arg.startsWith("--") && !["--sample", "--seed"].includes(args[i - 1])) ?? ".");
const sample = Number(option("--sample", "150"));
const seed = Number(option("--seed", "21"));
/** With `--explain N`: the first N disagreements of each group go to stderr. */
const explain = Number(option("--explain", "0"));

if (!args.includes("--no-index")) {
  // Afresh: an unchanged file keeps the references an older build recorded.
  rmSync(path.join(repo, ".codesearch"), { recursive: true, force: true });
  execFileSync("node", [path.join(ROOT, "bin", "codesearch.js"), "index", ".", "--model", path.join(ROOT, "fixtures", "model")], { cwd: repo, env: { ...process.env, CI: "1" }, stdio: ["ignore", "ignore", "inherit"] });
}
const { openSearchSession, withStructure, findReferences } = await import(path.join(ROOT, "dist", "pipeline", "index.js"));

/** Mulberry32: the same sample for the same seed. */
function random(state) {
  return () => {
    state = (state + 0x6d2b79f5) | 0;
    let t = Math.imul(state ^ (state >>> 15), 1 | state);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
function pick(items, count, next) {
  const copy = [...items];
  for (let i = copy.length - 1; i > 0; i--) {
    const j = Math.floor(next() * (i + 1));
    [copy[i], copy[j]] = [copy[j], copy[i]];
  }
  return copy.slice(0, count);
}

const SOURCE = /\.(ts|tsx|mts|cts|js|jsx|mjs|cjs)$/;
function listFiles(dir, prefix = "") {
  return readdirSync(path.join(dir, prefix), { withFileTypes: true }).flatMap((entry) => {
    const relative = prefix === "" ? entry.name : `${prefix}/${entry.name}`;
    if (entry.isDirectory()) return entry.name === ".codesearch" || entry.name === "node_modules" ? [] : listFiles(dir, relative);
    return SOURCE.test(entry.name) && !/\.d\.[cm]?ts$/.test(entry.name) ? [relative] : [];
  });
}
const files = listFiles(repo);
const texts = new Map(files.map((file) => [file, readFileSync(path.join(repo, file), "utf8")]));
const typescriptSources = files.some((file) => /\.[cm]?tsx?$/.test(file));
const options = typescriptSources
  ? { target: ts.ScriptTarget.ESNext, module: ts.ModuleKind.ESNext, moduleResolution: ts.ModuleResolutionKind.Bundler, allowJs: true, noEmit: true, skipLibCheck: true, experimentalDecorators: true }
  : { target: ts.ScriptTarget.ESNext, module: ts.ModuleKind.CommonJS, moduleResolution: ts.ModuleResolutionKind.Node10, allowJs: true, checkJs: false, noEmit: true };
const absolute = (file) => path.join(repo, file);
const service = ts.createLanguageService(
  {
    getScriptFileNames: () => files.map(absolute),
    getScriptVersion: () => "1",
    getScriptSnapshot: (name) => {
      const relative = path.relative(repo, name);
      const text = texts.get(relative) ?? (ts.sys.fileExists(name) ? ts.sys.readFile(name) : undefined);
      return text === undefined ? undefined : ts.ScriptSnapshot.fromString(text);
    },
    getCurrentDirectory: () => repo,
    getCompilationSettings: () => options,
    getDefaultLibFileName: (settings) => ts.getDefaultLibFilePath(settings),
    fileExists: ts.sys.fileExists,
    readFile: ts.sys.readFile,
    readDirectory: ts.sys.readDirectory,
    directoryExists: ts.sys.directoryExists,
    getDirectories: ts.sys.getDirectories,
  },
  ts.createDocumentRegistry(),
);

/** 0-based offset of the definition's name on its first line, or null. */
function nameOffset(entity) {
  const text = texts.get(entity.path);
  if (text === undefined || entity.name === "default" || entity.name === "constructor") return null;
  const lines = text.split("\n");
  const line = lines[entity.startLine - 1] ?? "";
  const match = new RegExp(`(?<![\\w$])${entity.name.replace(/[$]/g, "\\$")}(?![\\w$])`).exec(line);
  if (match === null) return null;
  let offset = 0;
  for (let i = 0; i < entity.startLine - 1; i++) offset += lines[i].length + 1;
  return offset + match.index;
}

function compilerReferences(entity, offset) {
  const found = new Set();
  const symbols = service.findReferences(absolute(entity.path), offset) ?? [];
  // The definition's own symbol and the aliases importing it; not the other declarations TypeScript
  // relates to it (an interface method it implements, a base method it overrides).
  // (Merged declarations, `interface Decimal` and `class Decimal`, are one symbol: matched by name.)
  const named = (symbol) => {
    const text = texts.get(path.relative(repo, symbol.definition.fileName));
    return text !== undefined && text.slice(symbol.definition.textSpan.start, symbol.definition.textSpan.start + symbol.definition.textSpan.length) === entity.name;
  };
  const own = symbols.filter((symbol) => symbol.definition.kind === "alias" || (path.relative(repo, symbol.definition.fileName) === entity.path && named(symbol)));
  for (const symbol of own.length > 0 ? own : symbols) {
    for (const reference of symbol.references) {
      const file = path.relative(repo, reference.fileName);
      if (file.startsWith("..") || !texts.has(file) || reference.isDefinition) continue;
      const source = service.getProgram().getSourceFile(reference.fileName);
      const { line, character } = source.getLineAndCharacterOfPosition(reference.textSpan.start);
      const text = texts.get(file).split("\n")[line];
      // `{@link name}` in a doc comment is no reference in code.
      const before = text.slice(0, character);
      if (/^\s*\*/.test(text) || before.includes("//") || before.lastIndexOf("/*") > before.lastIndexOf("*/")) continue;
      // The compiler places the reference of `import { a as b }` / `export { a as b }` at `b`; codesearch at `a`.
      const written = text.slice(character, character + reference.textSpan.length);
      const at = written === entity.name ? character : text.lastIndexOf(entity.name, character);
      found.add(`${file}:${line + 1}:${(at === -1 ? character : at) + 1}`);
    }
  }
  return found;
}

const session = await openSearchSession({ cwd: repo, modelCacheDir: "/nonexistent-model-cache", offline: true });
const report = { repo: path.basename(repo), files: files.length, typescript: ts.version, sample, seed, groups: {} };
try {
  await withStructure(session, (structure) => {
    const next = random(seed);
    const entities = structure.entities.map((entity, index) => ({ entity, index })).filter(({ entity }) => !entity.isTest);
    const groups = {
      "module-level functions and types": entities.filter(({ entity }) => entity.kind !== "method" && entity.parentQualifiedName === null),
      methods: entities.filter(({ entity }) => entity.kind === "method"),
    };
    for (const [group, members] of Object.entries(groups)) {
      let explained = 0;
      const counts = { definitions: 0, compiler: 0, resolved: 0, resolvedCorrect: 0, all: 0, allCorrect: 0 };
      for (const { entity } of pick(members, sample, next)) {
        const offset = nameOffset(entity);
        if (offset === null) continue;
        const expected = compilerReferences(entity, offset);
        // Overload signatures and their implementation are one symbol to the compiler, several entities here.
        const overloads = structure.entities.flatMap((other, at) => (other.path === entity.path && other.qualifiedName === entity.qualifiedName ? [at] : []));
        const hits = findReferences(structure, overloads, { direction: "references" });
        const key = (hit) => `${hit.path}:${hit.line}:${hit.column}`;
        const resolved = new Set(hits.filter((hit) => hit.confidence === "resolved").map(key));
        const all = new Set(hits.map(key));
        counts.definitions++;
        counts.compiler += expected.size;
        counts.resolved += resolved.size;
        counts.resolvedCorrect += [...resolved].filter((site) => expected.has(site)).length;
        counts.all += all.size;
        if (explained < explain) {
          const missed = [...expected].filter((site) => !resolved.has(site));
          const extra = [...resolved].filter((site) => !expected.has(site));
          if (missed.length + extra.length > 0) {
            explained++;
            const line = (site) => {
              const [file, number] = site.split(":");
              return `${site} ${(texts.get(file)?.split("\n")[Number(number) - 1] ?? "").trim().slice(0, 100)}`;
            };
            console.error(`${entity.qualifiedName} (${entity.path}:${entity.startLine})\n  missed:\n    ${missed.map(line).join("\n    ")}\n  extra:\n    ${extra.map(line).join("\n    ")}`);
          }
        }
        counts.allCorrect += [...all].filter((site) => expected.has(site)).length;
      }
      const ratio = (a, b) => (b === 0 ? null : Number((a / b).toFixed(3)));
      report.groups[group] = {
        ...counts,
        resolvedPrecision: ratio(counts.resolvedCorrect, counts.resolved),
        resolvedRecall: ratio(counts.resolvedCorrect, counts.compiler),
        allPrecision: ratio(counts.allCorrect, counts.all),
        allRecall: ratio(counts.allCorrect, counts.compiler),
      };
    }
  });
} finally {
  await session.close();
}
console.log(JSON.stringify(report, null, 2));
