// How a file's reference sites are kept in its catalog entry: compact tuples, so that a
// repository's references add little to catalog.json and are committed with the table version.
import { z } from "zod";
import { REFERENCE_KINDS, type FileReferences, type ReferenceKind } from "../model/references.js";

/** One stored site: `[line, column, kind, name, qualifier, enclosingLine]`. */
type StoredSite = [number, number, ReferenceKind, string, string | null, number];
/** One stored import: `[line, scopeLine, module, name, alias]`. */
type StoredImport = [number, number, string, string | null, string];

/**
 * A file's references as stored: `sites`, `imports` and `assignments` (`[name, line]`) as tuples
 * (see model/references.ts for the fields).
 */
export interface StoredReferences {
  sites: StoredSite[];
  imports: StoredImport[];
  assignments: [string, number][];
  /**
   * {@link REFERENCE_RULES_VERSION} of the extraction that wrote the record; absent in records
   * written before it existed (when only Python files had reference rules, so an empty record of
   * another language's file means "not extracted", and the planner reads that file again once).
   */
  rules?: number;
}

/**
 * Version of the reference extraction every language's rules follow (src/lang/<id>/references.ts),
 * stored in each record: 1 = every registered language extracts references (issue 21).
 */
export const REFERENCE_RULES_VERSION = 1;

/**
 * The catalog's check of a stored record: an object of three arrays. The tuples themselves are
 * checked when read ({@link decodeReferences} skips malformed ones): validating each of a
 * repository's tens of thousands of tuples with zod made reading the catalog 60× slower
 * (BENCHMARKS.md, issue 21).
 */
export const storedReferencesSchema = z.custom<StoredReferences>(
  (value) =>
    typeof value === "object" &&
    value !== null &&
    Array.isArray((value as StoredReferences).sites) &&
    Array.isArray((value as StoredReferences).imports) &&
    Array.isArray((value as StoredReferences).assignments),
  { message: "a reference record holds sites, imports and assignments" },
);

/** The stored form of `references`. Pure. */
export function encodeReferences(references: FileReferences): StoredReferences {
  return {
    sites: references.sites.map((s) => [s.line, s.column, s.kind, s.name, s.qualifier, s.enclosingLine]),
    imports: references.imports.map((i) => [i.line, i.scopeLine, i.module, i.name, i.alias]),
    assignments: references.assignments.map((a) => [a.name, a.line]),
    rules: REFERENCE_RULES_VERSION,
  };
}

const KINDS: ReadonlySet<string> = new Set(REFERENCE_KINDS);
const isLine = (value: unknown): value is number => Number.isInteger(value) && (value as number) >= 0;
const isText = (value: unknown): value is string => typeof value === "string";

/** The references a stored record holds; tuples of another shape (a damaged or foreign catalog) are skipped. Pure. */
export function decodeReferences(stored: StoredReferences): FileReferences {
  const references: FileReferences = { sites: [], imports: [], assignments: [] };
  for (const site of stored.sites) {
    if (!Array.isArray(site)) continue;
    const [line, column, kind, name, qualifier, enclosingLine] = site;
    if (isLine(line) && isLine(column) && KINDS.has(kind) && isText(name) && (qualifier === null || isText(qualifier)) && isLine(enclosingLine)) {
      references.sites.push({ line, column, kind, name, qualifier, enclosingLine });
    }
  }
  for (const binding of stored.imports) {
    if (!Array.isArray(binding)) continue;
    const [line, scopeLine, module, name, alias] = binding;
    if (isLine(line) && isLine(scopeLine) && isText(module) && (name === null || isText(name)) && isText(alias)) references.imports.push({ line, scopeLine, module, name, alias });
  }
  for (const assignment of stored.assignments) {
    if (!Array.isArray(assignment)) continue;
    const [name, line] = assignment;
    if (isText(name) && isLine(line)) references.assignments.push({ name, line });
  }
  return references;
}
