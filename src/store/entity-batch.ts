import { Data, DataType, FixedSizeList, Float32, makeBuilder, makeData, RecordBatch, Struct, Table, type Schema } from "apache-arrow";
import type { EmbeddedChunk } from "../model/types.js";
import { searchColumnValues } from "./search-columns.js";

/**
 * The rows of `chunks` as one Arrow record batch of {@link entitySchema}`(dimension)`, ready for
 * LanceDB's `table.add`. Vectors are copied once into a single `Float32Array` of
 * `chunks.length × dimension` values (no JavaScript number arrays, which cost ~8–16 bytes a value),
 * and each column is built in one piece. Callers check vector lengths first; a vector of another
 * length would shift the ones after it.
 */
export function entityArrowTable(schema: Schema, chunks: readonly EmbeddedChunk[], dimension: number): Table {
  const search = chunks.map(searchColumnValues);
  const values: Record<string, (i: number) => unknown> = {
    id: (i) => chunks[i]!.id,
    path: (i) => chunks[i]!.path,
    language: (i) => chunks[i]!.language,
    kind: (i) => chunks[i]!.kind,
    name: (i) => chunks[i]!.name,
    qualified_name: (i) => chunks[i]!.qualifiedName,
    parent_qualified_name: (i) => chunks[i]!.parentQualifiedName,
    start_line: (i) => chunks[i]!.startLine,
    end_line: (i) => chunks[i]!.endLine,
    decorator_line: (i) => chunks[i]!.decoratorLine,
    decorators: (i) => JSON.stringify(chunks[i]!.decorators),
    signature: (i) => chunks[i]!.signature,
    docstring: (i) => chunks[i]!.docstring,
    source: (i) => chunks[i]!.source,
    text: (i) => chunks[i]!.text,
    content_hash: (i) => chunks[i]!.contentHash,
  };
  const children = schema.fields.map((field) => {
    if (field.name === "vector") return vectorData(field.type as FixedSizeList<Float32>, chunks, dimension);
    const value = values[field.name] ?? ((i: number) => search[i]![field.name]);
    return columnData(field.type as DataType, chunks.length, value);
  });
  const batch = new RecordBatch(schema, makeData({ type: new Struct(schema.fields), length: chunks.length, nullCount: 0, children }));
  return new Table(schema, batch);
}

/** One column of `length` values as a single Arrow `Data` (nulls where `value` gives null). */
function columnData(type: DataType, length: number, value: (i: number) => unknown): Data {
  const builder = makeBuilder({ type, nullValues: [null, undefined] });
  for (let i = 0; i < length; i++) builder.append(value(i));
  return builder.finish().flush();
}

/** The `vector` column: a fixed-size list over one `Float32Array` holding every row's vector in order. */
function vectorData(type: FixedSizeList<Float32>, chunks: readonly EmbeddedChunk[], dimension: number): Data {
  const flat = new Float32Array(chunks.length * dimension);
  chunks.forEach((chunk, i) => flat.set(chunk.vector, i * dimension));
  const child = makeData({ type: new Float32(), length: flat.length, nullCount: 0, data: flat });
  return makeData({ type, length: chunks.length, nullCount: 0, child });
}
