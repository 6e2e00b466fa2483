// Definitions by name: exact, qualified (`Cart.total`, `pkg.module.func`), prefix, glob or fuzzy,
// over the structure index's in-memory entities. Reads nothing per query.
import picomatch from "picomatch";
import type { EntityKind } from "../model/entity-kinds.js";
import type { StructureEntity, StructureIndex } from "./structure-index.js";

/** How a definition matched the query, best first. */
export const DEFINITION_MATCHES = ["exact", "qualified", "prefix", "glob", "fuzzy"] as const;

/** One of {@link DEFINITION_MATCHES}. */
export type DefinitionMatch = (typeof DEFINITION_MATCHES)[number];

/** Filters shared by the structural tools. */
export interface StructureFilters {
  /** Entity kinds to keep (all when absent or empty). */
  kinds?: readonly EntityKind[];
  /** Globs over repository-relative paths (picomatch; `dir/` means everything below dir; `!glob` excludes). */
  paths?: readonly string[];
  /** Languages to keep (`python`); matched against the entity's language. */
  languages?: readonly string[];
  /** Leave out test code. */
  excludeTests?: boolean;
}

/** One definition found for a name. */
export interface DefinitionHit {
  entity: StructureEntity;
  match: DefinitionMatch;
  /** Higher is better; only comparable within one query. */
  score: number;
}

/**
 * The definitions `query` names, best first: exact name (case-sensitive, then not) > qualified name
 * (the entity's `Outer.name`, or `module.Outer.name` with the module from the file path, matched
 * whole or as a dotted suffix) > name prefix > glob (`*`, `?`, `[…]` over the name, or over
 * `module.qualname` when the pattern has a dot) > fuzzy (the query's letters in order in the name,
 * case-insensitive, scored by how tightly they cluster). Within a tier: shorter names first, code
 * before tests, then path and line. Pure.
 */
export function findDefinitions(structure: StructureIndex, query: string, filters: StructureFilters = {}): DefinitionHit[] {
  const wanted = query.trim();
  if (wanted === "") return [];
  const keep = structureFilter(filters);
  const hits: DefinitionHit[] = [];
  const isGlob = /[*?[\]]/.test(wanted);
  const lower = wanted.toLowerCase();
  const dotted = wanted.includes(".");
  const glob = isGlob ? picomatch(wanted, { dot: true, nocase: !/[A-Z]/.test(wanted) }) : null;
  for (const entity of structure.entities) {
    if (!keep(entity)) continue;
    const hit = matchDefinition(entity, wanted, lower, dotted, glob);
    if (hit) hits.push(hit);
  }
  return hits.sort(
    (a, b) =>
      b.score - a.score ||
      a.entity.name.length - b.entity.name.length ||
      Number(a.entity.isTest) - Number(b.entity.isTest) ||
      (a.entity.path < b.entity.path ? -1 : a.entity.path > b.entity.path ? 1 : a.entity.startLine - b.entity.startLine),
  );
}

const TIER: Record<DefinitionMatch, number> = { exact: 5, qualified: 4, prefix: 3, glob: 2, fuzzy: 1 };

function matchDefinition(entity: StructureEntity, wanted: string, lower: string, dotted: boolean, glob: picomatch.Matcher | null): DefinitionHit | null {
  const hit = (match: DefinitionMatch, within: number): DefinitionHit => ({ entity, match, score: TIER[match] + within });
  if (glob) {
    const subject = dotted ? `${entity.module}.${entity.qualifiedName}` : entity.name;
    return glob(subject) || (dotted && glob(entity.qualifiedName)) ? hit("glob", 0) : null;
  }
  if (entity.name === wanted) return hit("exact", 0.5);
  if (entity.name.toLowerCase() === lower) return hit("exact", 0);
  if (dotted) {
    const full = `${entity.module}.${entity.qualifiedName}`;
    if (entity.qualifiedName === wanted || full === wanted) return hit("qualified", 0.5);
    if (full.endsWith(`.${wanted}`)) return hit("qualified", 0.25);
    if (full.toLowerCase().endsWith(`.${lower}`) || entity.qualifiedName.toLowerCase() === lower) return hit("qualified", 0);
    return null;
  }
  if (entity.name.startsWith(wanted)) return hit("prefix", 0.5);
  if (entity.name.toLowerCase().startsWith(lower)) return hit("prefix", 0);
  const fuzzy = fuzzyScore(entity.name.toLowerCase(), lower);
  return fuzzy > 0 ? hit("fuzzy", fuzzy) : null;
}

/**
 * How well `query`'s characters appear in order in `name` (both lower-case): 0 when they do not,
 * else in (0, 1): 1 minus the share of skipped characters between the first and last matched one,
 * halved when the first character does not start a word. Queries under 3 characters never match.
 */
export function fuzzyScore(name: string, query: string): number {
  if (query.length < 3) return 0;
  let at = -1;
  let first = -1;
  for (const char of query) {
    at = name.indexOf(char, at + 1);
    if (at === -1) return 0;
    if (first === -1) first = at;
  }
  const span = at - first + 1;
  const tight = query.length / span;
  const wordStart = first === 0 || name[first - 1] === "_";
  return Math.min(0.99, tight * (wordStart ? 0.9 : 0.45));
}

/** A predicate for {@link StructureFilters}. Pure. */
export function structureFilter(filters: StructureFilters): (entity: StructureEntity) => boolean {
  const kinds = filters.kinds?.length ? new Set(filters.kinds) : null;
  const languages = filters.languages?.length ? new Set(filters.languages) : null;
  const include = (filters.paths ?? []).filter((p) => !p.startsWith("!")).map(pathMatcher);
  const exclude = (filters.paths ?? []).filter((p) => p.startsWith("!")).map((p) => pathMatcher(p.slice(1)));
  return (entity) =>
    (kinds === null || kinds.has(entity.kind)) &&
    (languages === null || languages.has(entity.language)) &&
    !(filters.excludeTests && entity.isTest) &&
    (include.length === 0 || include.some((m) => m(entity.path))) &&
    !exclude.some((m) => m(entity.path));
}

function pathMatcher(pattern: string): (path: string) => boolean {
  return pattern.endsWith("/") ? picomatch(`${pattern}**`, { dot: true }) : picomatch(pattern, { dot: true, basename: !pattern.includes("/") });
}
