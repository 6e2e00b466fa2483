// The shared half of the reference comparisons (references-vs-typescript.mjs, references-vs-gopls.mjs):
// index a package afresh with the committed test model, open it as the MCP server does, sample
// definitions (seeded), and count how codesearch's references agree with a type-aware tool's.
import { execFileSync } from "node:child_process";
import { readFileSync, readdirSync, rmSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..", "..");

/** `--name value` of the command line, else `fallback`; the first other argument is the repository. */
export function commandLine(argv, defaults) {
  const options = { ...defaults, flags: new Set() };
  let repo = ".";
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    if (arg.startsWith("--") && i + 1 < argv.length && !argv[i + 1].startsWith("--") && arg.slice(2) in defaults) options[arg.slice(2)] = Number(argv[++i]);
    else if (arg.startsWith("--")) options.flags.add(arg.slice(2));
    else repo = arg;
  }
  return { repo: path.resolve(repo), ...options };
}

/** The files under `dir` whose names match `pattern` (repository-relative, `.codesearch` and `node_modules` left out), with their text. */
export function sourceTexts(dir, pattern) {
  const walk = (prefix) =>
    readdirSync(path.join(dir, prefix), { withFileTypes: true }).flatMap((entry) => {
      const relative = prefix === "" ? entry.name : `${prefix}/${entry.name}`;
      if (entry.isDirectory()) return entry.name === ".codesearch" || entry.name === "node_modules" ? [] : walk(relative);
      return pattern.test(entry.name) ? [relative] : [];
    });
  return new Map(walk("").map((file) => [file, readFileSync(path.join(dir, file), "utf8")]));
}

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

/**
 * Indexes `repo` afresh (unless `noIndex`), samples up to `sample` module-level definitions and
 * `sample` methods (test code left out), and compares, per definition, codesearch's references
 * (findReferences: the code behind `codesearch refs` and MCP `references`) with `expectedOf(entity)`
 * (a Set of `file:line:column`, 1-based, or null to skip the definition). With `explain`, the
 * first disagreements of each group go to stderr.
 * @returns per group: counts and micro-averaged precision and recall of the resolved references
 *   ("high confidence") and of all (resolved + name-match).
 */
export async function compareReferences({ repo, sample, seed, explain, noIndex, texts, expectedOf }) {
  if (!noIndex) {
    // Afresh: an unchanged file keeps the references an older build recorded.
    rmSync(path.join(repo, ".codesearch"), { recursive: true, force: true });
    execFileSync("node", [path.join(ROOT, "bin", "codesearch.js"), "index", ".", "--model", path.join(ROOT, "fixtures", "model")], { cwd: repo, env: { ...process.env, CI: "1" }, stdio: ["ignore", "ignore", "inherit"] });
  }
  const { openSearchSession, withStructure, findReferences } = await import(path.join(ROOT, "dist", "pipeline", "index.js"));
const session = await openSearchSession({ cwd: repo, modelCacheDir: "/nonexistent-model-cache", offline: true });
const report = { repo: path.basename(repo), files: texts.size, sample, seed, groups: {} };
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
        const expected = expectedOf(entity);
        if (expected === null) continue;
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
return report;
}
