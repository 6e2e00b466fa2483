#!/usr/bin/env node
// Compares codesearch's entities with Universal Ctags' definition tags on real packages (issue 20):
// for each package, every function/method/class-level tag ctags finds is looked up among the
// entities of the same file (same name, ctags' line inside the entity's span). Prints a Markdown
// table per language, and the first tags missed per package, to explain the differences.
//
// Usage: npm run build && node scripts/lang/ctags-agreement.mjs [packages.json]
// packages.json: [{ "language": "go", "name": "golang-github-pkg-errors-dev", "root": "/usr/share/gocode/src/github.com/pkg/errors" }, …]
// Default: the packages listed in DEFAULT_PACKAGES: Debian binary packages installed with apt-get
// (golang-github-pkg-errors-dev golang-github-google-uuid-dev librust-smallvec-dev librust-itoa-dev
// node-semver node-lru-cache python3-markdown python3-attr ruby-mustache ruby-rainbow), Java source packages fetched with
// `apt-get source jsoup commons-csv` (deb-src enabled) into /tmp/lang-javasrc/<name>/, and two npm
// packages of this repository that ship TypeScript sources (Debian ships none as sources).
// Needs `ctags` (Debian's universal-ctags) on PATH.
import { execFileSync } from "node:child_process";
import { readFileSync, readdirSync, statSync } from "node:fs";
import path from "node:path";
import { extractEntities } from "../../dist/extract/index.js";
import { languageById } from "../../dist/lang/index.js";

/** ctags' language name and the kinds that are function/method/class-level definitions, per codesearch language. */
const CTAGS = {
  python: { name: "Python", kinds: ["class", "function", "member"] },
  go: { name: "Go", kinds: ["func", "struct", "interface", "type", "talias"] },
  rust: { name: "Rust", kinds: ["function", "method", "struct", "enum", "interface", "typedef", "macro"] },
  javascript: { name: "JavaScript", kinds: ["function", "class", "method", "generator", "getter", "setter"] },
  typescript: { name: "TypeScript", kinds: ["function", "class", "method", "interface", "enum", "alias", "generator"] },
  java: { name: "Java", kinds: ["class", "interface", "enum", "method", "annotation"] },
  ruby: { name: "Ruby", kinds: ["class", "method", "module", "singletonMethod"] },
};

const DEFAULT_PACKAGES = [
  { language: "go", name: "golang-github-pkg-errors-dev", root: "/usr/share/gocode/src/github.com/pkg/errors" },
  { language: "go", name: "golang-github-google-uuid-dev", root: "/usr/share/gocode/src/github.com/google/uuid" },
  { language: "rust", name: "librust-smallvec-dev", root: "/usr/share/cargo/registry/smallvec-1.9.0" },
  { language: "rust", name: "librust-itoa-dev", root: "/usr/share/cargo/registry/itoa-1.0.1" },
  { language: "javascript", name: "node-semver", root: "/usr/share/nodejs/semver" },
  { language: "javascript", name: "node-lru-cache", root: "/usr/share/nodejs/lru-cache" },
  { language: "typescript", name: "apache-arrow (npm 18.1.0, src/)", root: "node_modules/apache-arrow/src" },
  { language: "typescript", name: "openai (npm 4.29.2, src/)", root: "node_modules/openai/src" },
  { language: "java", name: "jsoup 1.15.3 (Debian source package, src/main)", root: "/tmp/lang-javasrc/jsoup/src/main" },
  { language: "java", name: "commons-csv 1.9.0 (Debian source package, src/main)", root: "/tmp/lang-javasrc/commons-csv/src/main" },
  { language: "python", name: "python3-markdown", root: "/usr/lib/python3/dist-packages/markdown" },
  { language: "python", name: "python3-attr", root: "/usr/lib/python3/dist-packages/attr" },
  { language: "ruby", name: "ruby-mustache", root: "/usr/lib/ruby/vendor_ruby/mustache" },
  { language: "ruby", name: "ruby-rainbow", root: "/usr/share/rubygems-integration/all/gems/rainbow-3.1.1/lib" },
];

/** Source files of `language` under `root` (not `.d.ts`), sorted; directories that do not exist give none. */
function sourceFiles(root, language) {
  const spec = languageById(language);
  const files = [];
  const walk = (dir) => {
    for (const name of readdirSync(dir).sort()) {
      const full = path.join(dir, name);
      const stats = statSync(full, { throwIfNoEntry: false });
      if (stats?.isDirectory()) walk(full);
      else if (stats?.isFile() && spec.extensions.some((e) => name.endsWith(e)) && !/\.d\.[cm]?ts$/.test(name)) files.push(full);
    }
  };
  if (statSync(root, { throwIfNoEntry: false })?.isDirectory()) walk(root);
  return files;
}

/** ctags' definition tags of `files`: { file, name, line, end, kind }. */
function ctagsTags(files, language) {
  const { name, kinds } = CTAGS[language];
  const out = execFileSync("ctags", ["--output-format=json", "--fields=+nKe", `--languages=${name}`, "-f", "-", ...files], { maxBuffer: 1 << 28, encoding: "utf8" });
  return out
    .split("\n")
    .filter((line) => line.startsWith("{"))
    .map((line) => JSON.parse(line))
    .filter((tag) => tag._type === "tag" && kinds.includes(tag.kind))
    .map((tag) => ({ file: tag.path, name: tag.name, line: tag.line, end: tag.end ?? null, kind: tag.kind }));
}

/**
 * Why ctags' tag is not a definition codesearch should find, judged from the tag's source line, or
 * null when it is a real miss. Each reason was read off the misses of the packages above.
 */
function explainMiss(tag, lineText) {
  if (/^\s*(import\b|export\s+(type\s+)?\{|\}\s*from\b)/.test(lineText) || /^\s*(type\s+)?[\w$]+\s*,?\s*$/.test(lineText)) {
    return "an import/export list (ctags reads `type X` there as a type alias)";
  }
  if (tag.kind === "class" && new RegExp(`\\b${tag.name}\\s*[:=]\\s*\\{`).test(lineText)) return "an object literal (ctags calls it a class)";
  if (tag.kind === "class" && /\bmodule\.exports\s*=\s*\{/.test(lineText)) return "an object literal (ctags calls it a class)";
  if (/\b(get|set)\s*\[/.test(lineText)) return "a computed getter/setter (ctags names it `get`; codesearch by its key)";
  if (tag.name === "super" && /\bsuper\s*\(/.test(lineText)) return "a `super(…)` call (ctags calls it a method)";
  return null;
}

async function comparePackage(pkg) {
  const files = sourceFiles(path.resolve(pkg.root), pkg.language);
  if (files.length === 0) return null;
  const entitiesByFile = new Map();
  let entityCount = 0;
  for (const file of files) {
    const { entities } = await extractEntities(file, readFileSync(file, "utf8"));
    entitiesByFile.set(file, entities);
    entityCount += entities.length;
  }
  const tags = ctagsTags(files, pkg.language);
  let found = 0;
  let startAgrees = 0;
  let endAgrees = 0;
  let withEnd = 0;
  const missed = [];
  const explained = new Map();
  for (const tag of tags) {
    const candidates = (entitiesByFile.get(tag.file) ?? []).filter((e) => e.name === tag.name && e.startLine <= tag.line && tag.line <= e.endLine);
    const entity = candidates.sort((a, b) => (tag.line - a.startLine) - (tag.line - b.startLine))[0];
    if (entity === undefined) {
      const lineText = readFileSync(tag.file, "utf8").split("\n")[tag.line - 1] ?? "";
      const reason = explainMiss(tag, lineText);
      if (reason === null) missed.push(`${path.relative(pkg.root, tag.file)}:${tag.line} ${tag.kind} ${tag.name}`);
      else explained.set(reason, (explained.get(reason) ?? 0) + 1);
      continue;
    }
    found++;
    // The name's line lies in the entity's header: at its first line, or below its decorators/annotations.
    if (tag.line - entity.startLine <= Math.max(0, entity.decorators.length)) startAgrees++;
    if (tag.end !== null) {
      withEnd++;
      if (tag.end === entity.endLine) endAgrees++;
    }
  }
  return { ...pkg, files: files.length, tags: tags.length, found, startAgrees, endAgrees, withEnd, entityCount, missed, explained };
}

const packages = process.argv[2] ? JSON.parse(readFileSync(process.argv[2], "utf8")) : DEFAULT_PACKAGES;
const results = [];
for (const pkg of packages) {
  const result = await comparePackage(pkg);
  if (result === null) console.error(`skipped ${pkg.name}: no ${pkg.language} files under ${pkg.root}`);
  else results.push(result);
}
const pct = (a, b) => (b === 0 ? "–" : `${((100 * a) / b).toFixed(1)} %`);
console.log("| language | package | files | ctags tags | not definitions (explained) | found as entities | start line agrees | end line agrees | codesearch entities |");
console.log("|---|---|---:|---:|---:|---:|---:|---:|---:|");
for (const r of results) {
  const notDefinitions = [...r.explained.values()].reduce((a, b) => a + b, 0);
  const real = r.tags - notDefinitions;
  console.log(`| ${r.language} | ${r.name} | ${r.files} | ${r.tags} | ${notDefinitions} | ${r.found} of ${real} (${pct(r.found, real)}) | ${pct(r.startAgrees, r.found)} | ${pct(r.endAgrees, r.withEnd)} | ${r.entityCount} |`);
}
for (const r of results) {
  for (const [reason, count] of r.explained) console.log(`\n${r.name}: ${count} tag(s) on ${reason}`);
  if (r.missed.length === 0) continue;
  console.log(`\n${r.name}: ${r.missed.length} tag(s) not found${r.missed.length > 40 ? " (first 40)" : ""}:`);
  for (const line of r.missed.slice(0, 40)) console.log(`  ${line}`);
}
