#!/usr/bin/env node
// Compares codesearch's references with the TypeScript compiler's findReferences on a TypeScript
// or JavaScript package (issue 21: references per language against a type-aware reference).
//
// Usage: node scripts/agent-tools/references-vs-typescript.mjs REPO [--sample N] [--seed S] [--explain N] [--no-index]
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
import path from "node:path";
import ts from "typescript";
import { commandLine, compareReferences, sourceTexts } from "./reference-agreement.mjs";

const { repo, sample, seed, explain, flags } = commandLine(process.argv.slice(2), { sample: 150, seed: 21, explain: 0 });
const texts = sourceTexts(repo, /\.(ts|tsx|mts|cts|js|jsx|mjs|cjs)$/);
for (const file of texts.keys()) if (/\.d\.[cm]?ts$/.test(file)) texts.delete(file);
const files = [...texts.keys()];
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

const report = await compareReferences({
  repo,
  sample,
  seed,
  explain,
  noIndex: flags.has("no-index"),
  texts,
  expectedOf: (entity) => {
    const offset = nameOffset(entity);
    return offset === null ? null : compilerReferences(entity, offset);
  },
});
console.log(JSON.stringify({ ...report, typescript: ts.version }, null, 2));
