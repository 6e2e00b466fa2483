import picomatch from "picomatch";
import { StoreError, describeError } from "../model/errors.js";
import type { SearchFilters } from "../model/search.js";
import { type EntitySource, withEntityTable } from "./table-snapshot.js";
import { IS_TEST_COLUMN } from "./search-columns.js";
import { quoteSqlIdentifier, sqlInList } from "./sql-quote.js";

/**
 * A filter ready for LanceDB's `where()`: nothing to filter, nothing can match (skip the query),
 * or a SQL predicate whose every value went through sql-quote.ts.
 */
export type EntityFilter = { kind: "all" } | { kind: "none" } | { kind: "where"; sql: string };

/**
 * Every distinct file path in the entity table, sorted.
 * @throws StoreError when the table is missing or unreadable.
 */
export async function listIndexedPaths(source: EntitySource): Promise<string[]> {
  try {
    const rows = (await withEntityTable(source, (table) => table.query().select(["path"]).toArray())) as { path: string }[];
    return [...new Set(rows.map((r) => r.path))].sort();
  } catch (error) {
    throw new StoreError(`cannot read the entity table: ${describeError(error)}`, { cause: error });
  }
}

/**
 * The paths of `paths` that the globs select: at least one pattern without `!` matches (or there is
 * none) and no `!` pattern matches. Globs are picomatch's, over repository-relative POSIX paths and
 * dot files included; a pattern ending in `/` means everything below that folder, and a pattern
 * without `/` is matched against the file name alone (`*_util.py`). Order of `paths` is kept.
 */
export function selectPaths(paths: readonly string[], globs: readonly string[]): string[] {
  const compile = (pattern: string) =>
    pattern.endsWith("/") ? picomatch(`${pattern}**`, { dot: true }) : picomatch(pattern, { dot: true, basename: !pattern.includes("/") });
  const include = globs.filter((g) => !g.startsWith("!")).map(compile);
  const exclude = globs.filter((g) => g.startsWith("!")).map((g) => compile(g.slice(1)));
  return paths.filter((p) => (include.length === 0 || include.some((m) => m(p))) && !exclude.some((m) => m(p)));
}

/**
 * Turns `filters` into one LanceDB predicate, so that both the vector and the full-text query
 * filter before choosing their top k.
 *
 * LanceDB's SQL has no glob operator, and translating globs to `LIKE` patterns is not exact (`*`
 * must not cross `/`, `**` must, character classes have no `LIKE` form). So path globs are matched
 * here with picomatch against the table's own paths (`indexedPaths`, from
 * {@link listIndexedPaths}), and the result becomes `path IN (...)` — or `path NOT IN (...)` when
 * the excluded paths are fewer, so the predicate never lists more than half the indexed files.
 * @param indexedPaths every path in the table; needed only when `filters.paths` is non-empty.
 */
export function buildEntityFilter(filters: SearchFilters, indexedPaths: readonly string[]): EntityFilter {
  const clauses: string[] = [];
  if (filters.paths && filters.paths.length > 0) {
    const selected = selectPaths(indexedPaths, filters.paths);
    if (selected.length === 0) return { kind: "none" };
    if (selected.length < indexedPaths.length) {
      const chosen = new Set(selected);
      const rejected = indexedPaths.filter((p) => !chosen.has(p));
      clauses.push(selected.length <= rejected.length ? sqlInList("path", selected) : `NOT ${sqlInList("path", rejected)}`);
    }
  }
  if (filters.kinds && filters.kinds.length > 0) clauses.push(sqlInList("kind", [...new Set(filters.kinds)]));
  if (filters.languages && filters.languages.length > 0) clauses.push(sqlInList("language", [...new Set(filters.languages)]));
  if (filters.excludeTests) clauses.push(`NOT ${quoteSqlIdentifier(IS_TEST_COLUMN)}`);
  return clauses.length === 0 ? { kind: "all" } : { kind: "where", sql: clauses.map((c) => `(${c})`).join(" AND ") };
}
