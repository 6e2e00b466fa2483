// How a file's reference sites are kept in its catalog entry: compact tuples, so that a
// repository's references add little to catalog.json and are committed with the table version.
import { z } from "zod";
import { REFERENCE_KINDS, type FileReferences } from "../model/references.js";

/**
 * A file's references as stored: `sites` as `[line, column, kind, name, qualifier, enclosingLine]`,
 * `imports` as `[line, scopeLine, module, name, alias]`, `assignments` as `[name, line]`
 * (see model/references.ts for the fields).
 */
export const storedReferencesSchema = z.object({
  sites: z.array(z.tuple([z.number().int(), z.number().int(), z.enum(REFERENCE_KINDS), z.string(), z.string().nullable(), z.number().int()])),
  imports: z.array(z.tuple([z.number().int(), z.number().int(), z.string(), z.string().nullable(), z.string()])),
  assignments: z.array(z.tuple([z.string(), z.number().int()])),
});

/** A file's references in their stored form (see {@link storedReferencesSchema}). */
export type StoredReferences = z.infer<typeof storedReferencesSchema>;

/** The stored form of `references`. Pure. */
export function encodeReferences(references: FileReferences): StoredReferences {
  return {
    sites: references.sites.map((s) => [s.line, s.column, s.kind, s.name, s.qualifier, s.enclosingLine]),
    imports: references.imports.map((i) => [i.line, i.scopeLine, i.module, i.name, i.alias]),
    assignments: references.assignments.map((a) => [a.name, a.line]),
  };
}

/** The references a stored record holds. Pure. */
export function decodeReferences(stored: StoredReferences): FileReferences {
  return {
    sites: stored.sites.map(([line, column, kind, name, qualifier, enclosingLine]) => ({ line, column, kind, name, qualifier, enclosingLine })),
    imports: stored.imports.map(([line, scopeLine, module, name, alias]) => ({ line, scopeLine, module, name, alias })),
    assignments: stored.assignments.map(([name, line]) => ({ name, line })),
  };
}
