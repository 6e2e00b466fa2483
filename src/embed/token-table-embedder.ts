import { readFileSync } from "node:fs";
import path from "node:path";
import { describeError } from "../model/errors.js";
import { type Embedder, NothingToEmbedError } from "./embedder.js";
import { readLocalTokenizedModel } from "./local-tokenizer.js";
import type { ModelSource } from "./model-source.js";
import { readModelSettings } from "./model-settings.js";
import type { OnnxEmbedderResult } from "./onnx-embedder.js";
import { readOnnxGraph } from "./onnx-graph.js";
import { type TokenTable, poolTokenRows, tokenTableOf } from "./token-table.js";

/** Options of {@link loadTokenTableEmbedder}. */
export interface TokenTableEmbedderOptions {
  /** A model folder on disk whose `codesearch.json` declares `"embedding": "token-mean"`. */
  source: Extract<ModelSource, { kind: "local" }>;
  /** Cap on tokens per text; default and upper bound: the tokenizer's `model_max_length`. */
  maxTokens?: number;
  /** Read the table even without the declaration: for the check that decides whether to declare it (scripts/bench/token-table-check.mjs). */
  undeclared?: boolean;
}

/** The ONNX file the token table is read from: the int8 export, the only one export_onnx.py writes. */
const TABLE_FILE = "onnx/model_quantized.onnx";

/**
 * Loads a neural bag-of-words model (models/codesearch-small) without any model runtime: the
 * folder's byte-level BPE tokenizer (`byte-level-bpe.ts`, after the model's text preparation), then
 * the token table read straight from the ONNX file's initializers (`onnx-graph.ts`), each text's
 * vector being the sum of its tokens' dequantised rows, L2-normalised — what the ONNX graph and
 * the masked mean of `loadOnnxEmbedder` compute (test/embed/token-table-embedder.test.ts compares
 * both on real texts). `modelId`, `maxTokens`, `dimension` and the batch size are those of
 * `loadOnnxEmbedder`, so an index or embedding cache built by one serves the other; the shared
 * cache's model fingerprint hashes the ONNX file the table is read from.
 *
 * @returns `{ ok: false, reason }` when the folder's `codesearch.json` does not declare
 *   `"embedding": "token-mean"` (unless `undeclared`), the tokenizer is not one `byte-level-bpe.ts` reproduces, or the
 *   ONNX file is unreadable or not export_onnx.py's token-table graph (the caller then loads the
 *   model with onnxruntime, which reports a broken file as such).
 * @throws ModelLoadError when model files are missing, or the tokenizer, config or
 *   `codesearch.json` is invalid.
 */
export async function loadTokenTableEmbedder(options: TokenTableEmbedderOptions): Promise<OnnxEmbedderResult> {
  const dir = options.source.dir;
  if (!options.undeclared && readModelSettings(dir).embedding !== "token-mean") return { ok: false, reason: 'codesearch.json does not declare "embedding": "token-mean"' };
  const read = readLocalTokenizedModel(options.source, true, options.maxTokens);
  if (!read.ok) return read;
  const { modelId, maxTokens, hiddenSize, settings, tokens } = read.model;
  let table: TokenTable;
  try {
    const found = tokenTableOf(readOnnxGraph(readFileSync(path.join(dir, TABLE_FILE))));
    if (!found.ok) return found;
    table = found.table;
  } catch (error) {
    return { ok: false, reason: `${TABLE_FILE} could not be read as a token table (${describeError(error)})` };
  }
  if (hiddenSize !== undefined && hiddenSize !== table.dimension) {
    return { ok: false, reason: `the token table is ${table.dimension}-d and config.json says hidden_size ${hiddenSize}` };
  }
  const counts = new Uint32Array(table.scale.length);
  const embed = (texts: readonly string[]): Promise<Float32Array[]> => {
    const ids = tokens.take(texts);
    // A row no longer than the empty text's (its special tokens only) has no content to pool.
    const empty = ids.findIndex((row) => row.length <= tokens.emptyLength);
    if (empty >= 0) return Promise.reject(new NothingToEmbedError(empty));
    try {
      return Promise.resolve(ids.map((row, r) => poolTokenRows(table, row, counts, r)));
    } catch (error) {
      return Promise.reject(error as Error);
    }
  };
  const embedder: Embedder = {
    modelId,
    dimension: table.dimension,
    maxTokens,
    ...(settings.batchSize !== undefined ? { preferredBatchSize: settings.batchSize } : {}),
    embed,
    tokenCounts: tokens.tokenCounts,
    dispose: () => Promise.resolve(),
  };
  return { ok: true, embedder };
}
