// How entity rows are read back: the columns each kind of read selects, and their mapping to the
// model's types (snake_case columns → camelCase fields).
import type { Chunk, EntityKind, EntityRef } from "../model/types.js";

/** One table row as LanceDB returns it ({@link ENTITY_ROW_COLUMNS}: vector and search columns omitted). */
export interface EntityRow {
  id: string;
  path: string;
  /** Language id (src/lang/): `python`, `go`… */
  language: string;
  kind: string;
  name: string;
  qualified_name: string;
  parent_qualified_name: string | null;
  start_line: number;
  end_line: number;
  decorator_line: number | null;
  decorators: string;
  signature: string;
  docstring: string | null;
  source: string;
  text: string;
  content_hash: string;
}

/** The columns read back into a {@link Chunk}. */
export const ENTITY_ROW_COLUMNS = [
  "id",
  "path",
  "language",
  "kind",
  "name",
  "qualified_name",
  "parent_qualified_name",
  "start_line",
  "end_line",
  "decorator_line",
  "decorators",
  "signature",
  "docstring",
  "source",
  "text",
  "content_hash",
] as const;

/** The columns read back into an {@link EntityRef}: what ranking needs, without the large texts. */
export const ENTITY_REF_COLUMNS = ["id", "path", "kind", "name", "qualified_name", "parent_qualified_name", "start_line", "end_line"] as const;

/** One row read with {@link ENTITY_REF_COLUMNS}, and its `_rowid` when the query asked for it (`withRowId()`). */
export type EntityRefRow = Pick<EntityRow, (typeof ENTITY_REF_COLUMNS)[number]> & { _rowid?: bigint };

/** The {@link EntityRef} of a row read with {@link ENTITY_REF_COLUMNS} (or more). */
export function refFromRow(row: EntityRefRow): EntityRef {
  return {
    id: row.id,
    path: row.path,
    kind: row.kind as EntityKind,
    name: row.name,
    qualifiedName: row.qualified_name,
    parentQualifiedName: row.parent_qualified_name ?? null,
    startLine: Number(row.start_line),
    endLine: Number(row.end_line),
    ...(row._rowid === undefined ? {} : { rowId: row._rowid }),
  };
}

/** The {@link Chunk} of a row read with {@link ENTITY_ROW_COLUMNS}. */
export function fromRow(row: EntityRow): Chunk {
  return {
    ...refFromRow(row),
    language: row.language,
    decoratorLine: row.decorator_line === null || row.decorator_line === undefined ? null : Number(row.decorator_line),
    decorators: JSON.parse(row.decorators) as string[],
    signature: row.signature,
    docstring: row.docstring ?? null,
    source: row.source,
    text: row.text,
    contentHash: row.content_hash,
  };
}
