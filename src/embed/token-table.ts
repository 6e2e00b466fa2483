import os from "node:os";
import { NothingToEmbedError } from "./embedder.js";
import { type OnnxGraph, type OnnxTensor, ONNX_FLOAT, ONNX_INT32, ONNX_INT64, ONNX_INT8 } from "./onnx-graph.js";

/**
 * The int8 token table of a neural bag-of-words model (models/codesearch-small), as
 * scripts/train-model/export_onnx.py writes it into the ONNX graph: token id → row
 * (`row_of_token`), rows quantised per row (`table_int8` × `row_scale`).
 */
export interface TokenTable {
  /** Row of each token id; its length is the vocabulary size the graph accepts. */
  rowOfToken: Int32Array;
  /** `rows × dimension` int8 values, row-major (a view into the model file's bytes). */
  rows: Int8Array;
  /** Dequantisation factor of each row: value = `rows[r·dimension + d] × scale[r]`. */
  scale: Float32Array;
  /** Vector length (`hidden_size`). */
  dimension: number;
}

/**
 * The graph export_onnx.py's `build_graph` writes, node by node (`op(inputs)->outputs`, Cast's
 * `to` 1 = float32): `last_hidden_state[b, t] = table_int8[row_of_token[id]] × row_scale[row] ×
 * attention_mask[b, t]`. Only a graph equal to this is read as a token table: anything else
 * (another export, a transformer) keeps the onnxruntime path.
 */
const TOKEN_TABLE_GRAPH = [
  "Gather(row_of_token,input_ids)->row_ids",
  "Gather(table_int8,row_ids)->rows_int8",
  "Cast(rows_int8)->rows to=1",
  "Gather(row_scale,row_ids)->scales",
  "Cast(attention_mask)->mask to=1",
  "Mul(scales,mask)->weights",
  "Unsqueeze(weights,last_axis)->weights_3d",
  "Mul(rows,weights_3d)->last_hidden_state",
].join("\n");

/** A node as one line of {@link TOKEN_TABLE_GRAPH}. */
function describeNode(node: OnnxGraph["nodes"][number]): string {
  const attributes = Object.entries(node.intAttributes).map(([name, value]) => ` ${name}=${value}`);
  return `${node.opType}(${node.inputs.join(",")})->${node.outputs.join(",")}${attributes.join("")}`;
}

/**
 * The tensor's raw bytes copied into a buffer of their own (raw_data need not sit at a multiple of
 * 4; `new Uint8Array(view)` copies, where a Node Buffer's `slice` would not).
 */
function alignedCopy(tensor: OnnxTensor): ArrayBuffer {
  return new Uint8Array(tensor.raw).buffer;
}

/**
 * Reads the token table out of `graph`, or says why the graph is not the token-table graph.
 * @returns `{ ok: false, reason }` when the nodes differ from export_onnx.py's graph, an
 *   initializer is missing, of another type or shape, or not stored as `raw_data`, a row index
 *   is out of range, or the machine is big-endian (ONNX raw data is little-endian).
 */
export function tokenTableOf(graph: OnnxGraph): { ok: true; table: TokenTable } | { ok: false; reason: string } {
  if (os.endianness() !== "LE") return { ok: false, reason: "ONNX raw data is little-endian and this machine is not" };
  if (graph.nodes.map(describeNode).join("\n") !== TOKEN_TABLE_GRAPH || graph.outputNames.join() !== "last_hidden_state") {
    return { ok: false, reason: "the ONNX graph is not export_onnx.py's token table" };
  }
  const rowOfToken = graph.initializers.get("row_of_token");
  const rows = graph.initializers.get("table_int8");
  const scale = graph.initializers.get("row_scale");
  const lastAxis = graph.initializers.get("last_axis");
  if (!rowOfToken || !rows || !scale || !lastAxis) return { ok: false, reason: "the token table's initializers are missing" };
  const [rowCount = 0, dimension = 0] = rows.dims;
  const [vocabulary = 0] = rowOfToken.dims;
  const shaped =
    rowOfToken.dataType === ONNX_INT32 &&
    rowOfToken.dims.length === 1 &&
    rowOfToken.raw.length === vocabulary * 4 &&
    rows.dataType === ONNX_INT8 &&
    rows.dims.length === 2 &&
    rows.raw.length === rowCount * dimension &&
    dimension > 0 &&
    scale.dataType === ONNX_FLOAT &&
    scale.dims.join() === String(rowCount) &&
    scale.raw.length === rowCount * 4 &&
    lastAxis.dataType === ONNX_INT64 &&
    lastAxis.raw.length === 8 &&
    new DataView(lastAxis.raw.buffer, lastAxis.raw.byteOffset, 8).getBigInt64(0, true) === -1n;
  if (!shaped) return { ok: false, reason: "the token table's initializers are not int32 [V], int8 [R, D], float32 [R] in raw data" };
  const table: TokenTable = {
    rowOfToken: new Int32Array(alignedCopy(rowOfToken)),
    rows: new Int8Array(rows.raw.buffer, rows.raw.byteOffset, rows.raw.length),
    scale: new Float32Array(alignedCopy(scale)),
    dimension,
  };
  if (table.rowOfToken.some((row) => row < 0 || row >= rowCount)) return { ok: false, reason: "row_of_token points outside the table" };
  return { ok: true, table };
}

/**
 * The vector the token-table graph gives one unpadded text, mean-pooled and L2-normalised as the
 * ONNX path does (`meanPoolNormalised` over `last_hidden_state`): the sum over `ids` of each
 * token's dequantised row, scaled to unit length (the mean's divisor cancels). Each distinct row
 * is added once, weighted by its count.
 * @param counts scratch space of `table.scale.length` zeros, left zeroed on return
 * @throws NothingToEmbedError (`row`) when the rows sum to zero, i.e. no token of the text has a
 *   trained row (special and untrained tokens share the zero row); Error when a token id is
 *   outside the vocabulary the graph accepts, or the table holds a non-finite scale.
 */
export function poolTokenRows(table: TokenTable, ids: ArrayLike<number>, counts: Uint32Array, row: number): Float32Array {
  const { rowOfToken, rows, scale, dimension } = table;
  const distinct: number[] = [];
  for (let t = 0; t < ids.length; t++) {
    const id = ids[t]!;
    const r = rowOfToken[id];
    if (r === undefined) {
      for (const counted of distinct) counts[counted] = 0;
      throw new Error(`token id ${id} is outside the model's vocabulary of ${rowOfToken.length}`);
    }
    if (counts[r] === 0) distinct.push(r);
    counts[r] = counts[r]! + 1;
  }
  const sum = new Float64Array(dimension);
  for (const r of distinct) {
    const weight = counts[r]! * scale[r]!;
    counts[r] = 0;
    if (weight === 0) continue;
    const offset = r * dimension;
    for (let d = 0; d < dimension; d++) sum[d]! += rows[offset + d]! * weight;
  }
  let norm = 0;
  for (let d = 0; d < dimension; d++) norm += sum[d]! * sum[d]!;
  norm = Math.sqrt(norm);
  if (!Number.isFinite(norm)) throw new Error(`row ${row} pools to a non-finite vector`);
  if (norm === 0) throw new NothingToEmbedError(row);
  const vector = new Float32Array(dimension);
  for (let d = 0; d < dimension; d++) vector[d] = sum[d]! / norm;
  return vector;
}
