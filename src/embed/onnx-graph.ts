/**
 * A reader for the few parts of an ONNX model file (a protobuf `ModelProto`) that the token-table
 * embedder needs: the graph's nodes, its input and output names, and its initializers' raw bytes.
 * Field numbers are onnx/onnx.proto's (ModelProto.graph = 7; GraphProto node 1, initializer 5,
 * input 11, output 12; NodeProto input 1, output 2, op_type 4, attribute 5; AttributeProto name 1,
 * i 3; TensorProto dims 1, data_type 2, name 8, raw_data 9; ValueInfoProto name 1). Fields it does
 * not know are skipped; it copies no tensor data (initializers are views into the file's bytes).
 */

/** One graph node: operator type, input and output names, and its integer attributes (`Cast`'s `to`). */
export interface OnnxNode {
  opType: string;
  inputs: string[];
  outputs: string[];
  /** Attributes that carry an integer (`AttributeProto.i`), by name; others are left out. */
  intAttributes: Record<string, number>;
}

/** An initializer stored as `raw_data` (little-endian, row-major), as numpy_helper.from_array writes it. */
export interface OnnxTensor {
  /** `TensorProto.DataType`: 1 float32, 3 int8, 6 int32, 7 int64 (onnx.proto). */
  dataType: number;
  dims: number[];
  /** The tensor's bytes, a view into the file's buffer; empty when the tensor uses typed fields instead of `raw_data`. */
  raw: Uint8Array;
}

/** The parts of an ONNX graph {@link readOnnxGraph} returns. */
export interface OnnxGraph {
  nodes: OnnxNode[];
  inputNames: string[];
  outputNames: string[];
  initializers: Map<string, OnnxTensor>;
}

/** `TensorProto.DataType` codes used here (onnx.proto). */
export const ONNX_FLOAT = 1;
export const ONNX_INT8 = 3;
export const ONNX_INT32 = 6;
export const ONNX_INT64 = 7;

/** Thrown when the bytes are not a well-formed protobuf message of the expected shape. */
export class OnnxFormatError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "OnnxFormatError";
  }
}

type FieldVisitor = (field: number, wireType: number, value: number, start: number, end: number) => void;

const WIRE_VARINT = 0;
const WIRE_64BIT = 1;
const WIRE_BYTES = 2;
const WIRE_32BIT = 5;

/**
 * Reads an unsigned varint at `at`; returns its value (exact up to 2^53; int64 fields that hold
 * negative numbers come back as 2^64 minus the magnitude, see {@link toSigned}) and the next offset.
 */
function readVarint(bytes: Uint8Array, at: number, end: number): [number, number] {
  let value = 0;
  let scale = 1;
  for (let i = 0; i < 10; i++) {
    if (at >= end) throw new OnnxFormatError("varint runs past the end of its message");
    const byte = bytes[at++]!;
    value += (byte & 0x7f) * scale;
    if (byte < 0x80) return [value, at];
    scale *= 128;
  }
  throw new OnnxFormatError("varint longer than 10 bytes");
}

/** An int64 read as an unsigned varint, as a signed number (two's complement). */
function toSigned(value: number): number {
  return value >= 2 ** 63 ? value - 2 ** 64 : value;
}

/** Calls `visit` for each field of the message in `bytes[start, end)`: varints with their value, length-delimited fields with their span. */
function forEachField(bytes: Uint8Array, start: number, end: number, visit: FieldVisitor): void {
  let at = start;
  while (at < end) {
    const [key, afterKey] = readVarint(bytes, at, end);
    const field = Math.floor(key / 8);
    const wireType = key % 8;
    at = afterKey;
    if (wireType === WIRE_VARINT) {
      const [value, next] = readVarint(bytes, at, end);
      visit(field, wireType, value, at, next);
      at = next;
    } else if (wireType === WIRE_BYTES) {
      const [length, next] = readVarint(bytes, at, end);
      if (next + length > end) throw new OnnxFormatError(`field ${field} runs past the end of its message`);
      visit(field, wireType, length, next, next + length);
      at = next + length;
    } else if (wireType === WIRE_64BIT || wireType === WIRE_32BIT) {
      at += wireType === WIRE_64BIT ? 8 : 4;
      if (at > end) throw new OnnxFormatError(`field ${field} runs past the end of its message`);
    } else {
      throw new OnnxFormatError(`unsupported protobuf wire type ${wireType}`);
    }
  }
}

const decoder = new TextDecoder("utf-8", { fatal: true });
const text = (bytes: Uint8Array, start: number, end: number) => decoder.decode(bytes.subarray(start, end));

/** A repeated int64 field, packed (one length-delimited run) or not (one varint per value). */
function appendInt64s(bytes: Uint8Array, wireType: number, value: number, start: number, end: number, into: number[]): void {
  if (wireType === WIRE_VARINT) {
    into.push(toSigned(value));
    return;
  }
  for (let at = start; at < end; ) {
    const [item, next] = readVarint(bytes, at, end);
    into.push(toSigned(item));
    at = next;
  }
}

function readNode(bytes: Uint8Array, start: number, end: number): OnnxNode {
  const node: OnnxNode = { opType: "", inputs: [], outputs: [], intAttributes: {} };
  forEachField(bytes, start, end, (field, wireType, _value, s, e) => {
    if (wireType !== WIRE_BYTES) return;
    if (field === 1) node.inputs.push(text(bytes, s, e));
    else if (field === 2) node.outputs.push(text(bytes, s, e));
    else if (field === 4) node.opType = text(bytes, s, e);
    else if (field === 5) {
      let name = "";
      let int: number | undefined;
      forEachField(bytes, s, e, (f, w, v, as, ae) => {
        if (f === 1 && w === WIRE_BYTES) name = text(bytes, as, ae);
        else if (f === 3 && w === WIRE_VARINT) int = toSigned(v);
      });
      if (int !== undefined) node.intAttributes[name] = int;
    }
  });
  return node;
}

function readTensor(bytes: Uint8Array, start: number, end: number): { name: string; tensor: OnnxTensor } {
  let name = "";
  const tensor: OnnxTensor = { dataType: 0, dims: [], raw: new Uint8Array(0) };
  forEachField(bytes, start, end, (field, wireType, value, s, e) => {
    if (field === 1) appendInt64s(bytes, wireType, value, s, e, tensor.dims);
    else if (field === 2 && wireType === WIRE_VARINT) tensor.dataType = value;
    else if (field === 8 && wireType === WIRE_BYTES) name = text(bytes, s, e);
    else if (field === 9 && wireType === WIRE_BYTES) tensor.raw = bytes.subarray(s, e);
  });
  return { name, tensor };
}

/** The `name` of a ValueInfoProto. */
function readValueName(bytes: Uint8Array, start: number, end: number): string {
  let name = "";
  forEachField(bytes, start, end, (field, wireType, _value, s, e) => {
    if (field === 1 && wireType === WIRE_BYTES) name = text(bytes, s, e);
  });
  return name;
}

/**
 * Reads the graph of the ONNX model whose file bytes are `bytes`.
 * @returns nodes in file order (ONNX requires topological order), graph input and output names,
 *   and initializers by name (their `raw` bytes are views into `bytes`, which must stay unchanged).
 * @throws OnnxFormatError when the bytes are not a protobuf message, a field runs past its message,
 *   a string is not UTF-8, or there is no graph.
 */
export function readOnnxGraph(bytes: Uint8Array): OnnxGraph {
  let graph: OnnxGraph | null = null;
  forEachField(bytes, 0, bytes.length, (field, wireType, _value, start, end) => {
    if (field !== 7 || wireType !== WIRE_BYTES) return;
    const read: OnnxGraph = { nodes: [], inputNames: [], outputNames: [], initializers: new Map() };
    forEachField(bytes, start, end, (f, w, _v, s, e) => {
      if (w !== WIRE_BYTES) return;
      if (f === 1) read.nodes.push(readNode(bytes, s, e));
      else if (f === 5) {
        const { name, tensor } = readTensor(bytes, s, e);
        read.initializers.set(name, tensor);
      } else if (f === 11) read.inputNames.push(readValueName(bytes, s, e));
      else if (f === 12) read.outputNames.push(readValueName(bytes, s, e));
    });
    graph = read;
  });
  if (graph === null) throw new OnnxFormatError("the file holds no ONNX graph");
  return graph;
}
