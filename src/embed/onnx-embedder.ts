import path from "node:path";
import { ModelLoadError, describeError } from "../model/errors.js";
import { type Embedder, NothingToEmbedError } from "./embedder.js";
import { readLocalTokenizedModel } from "./local-tokenizer.js";
import type { ModelSource } from "./model-source.js";
import { padToLongest, poolLastHiddenState } from "./transformers-embedder.js";

type Ort = typeof import("onnxruntime-node");

/** Options of {@link loadOnnxEmbedder}. */
export interface OnnxEmbedderOptions {
  /** A model folder on disk, in the hub's layout (`config.json`, `tokenizer.json`, `onnx/…`). */
  source: Extract<ModelSource, { kind: "local" }>;
  /** Load `onnx/model_quantized.onnx` (int8, default) rather than `onnx/model.onnx` (fp32). */
  quantized?: boolean;
  /** Cap on tokens per text; default and upper bound: the tokenizer's `model_max_length`. */
  maxTokens?: number;
}

/** The embedder, or why this runtime does not take the folder (the caller then uses transformers.js). */
export type OnnxEmbedderResult = { ok: true; embedder: Embedder } | { ok: false; reason: string };

/** Graph inputs this runtime knows how to fill: ids, 0/1 mask, and all-zero token types (as transformers.js 2.17.2 fills them). */
const KNOWN_INPUTS = new Set(["input_ids", "attention_mask", "token_type_ids"]);

/** Text embedded once at load time to learn and check the output dimension (the same probe as the transformers.js embedder). */
const PROBE_TEXT = "def probe(): pass";

/**
 * Loads a local feature-extraction model without transformers.js: the byte-level BPE tokenizer of
 * `byte-level-bpe.ts` and an `onnxruntime-node` CPU session, fed and pooled as
 * `loadTransformersEmbedder` does (input_ids, attention_mask [, zero token_type_ids] →
 * `last_hidden_state` → masked mean, L2-normalised), so the vectors, `modelId` and `maxTokens` are
 * the same and an index or embedding cache built by either runtime serves the other. Skips the
 * ~0.8 s import of transformers.js and its ~0.5 s tokenizer build; tokenising is cached per word.
 * `codesearch.json` is honoured as in the transformers.js embedder.
 *
 * @returns `{ ok: false, reason }` when the tokenizer is not a byte-level BPE this runtime
 *   reproduces exactly, onnxruntime-node cannot be imported, or the graph asks for inputs it
 *   cannot fill.
 * @throws ModelLoadError when model files are missing, `codesearch.json` or a tokenizer file is
 *   invalid, the ONNX file does not load on the CPU, or the output is not `[batch, tokens, hidden]`
 *   float32 of `config.hidden_size`.
 */
export async function loadOnnxEmbedder(options: OnnxEmbedderOptions): Promise<OnnxEmbedderResult> {
  const quantized = options.quantized ?? true;
  const dir = options.source.dir;
  const read = readLocalTokenizedModel(options.source, quantized, options.maxTokens);
  if (!read.ok) return read;
  const { modelId, maxTokens, hiddenSize, settings, tokens } = read.model;

  // A CommonJS package whose exports Node's ESM loader cannot list: its API is on `default` there.
  let imported: Ort & { default?: Ort };
  try {
    imported = (await import("onnxruntime-node")) as Ort & { default?: Ort };
  } catch (error) {
    // A node_modules laid out before onnxruntime-node became a direct dependency nests it under
    // @xenova/transformers, out of reach here; transformers.js still loads the model.
    return { ok: false, reason: `onnxruntime-node cannot be imported (${describeError(error)})` };
  }
  const { InferenceSession, Tensor } = imported.default ?? imported;
  let session: Awaited<ReturnType<typeof InferenceSession.create>>;
  try {
    session = await InferenceSession.create(path.join(dir, quantized ? "onnx/model_quantized.onnx" : "onnx/model.onnx"), { executionProviders: ["cpu"] });
  } catch (error) {
    throw new ModelLoadError(`could not load model ${modelId}: ONNX Runtime could not load the model on the CPU (${describeError(error)})`, { cause: error, modelDir: dir });
  }
  const unknownInput = session.inputNames.find((name) => !KNOWN_INPUTS.has(name));
  if (unknownInput !== undefined || !session.inputNames.includes("input_ids")) {
    await releaseSession(session);
    return { ok: false, reason: `model inputs ${session.inputNames.join(", ")} are not input_ids/attention_mask/token_type_ids` };
  }

  const embed = async (texts: readonly string[], dimension: number | undefined): Promise<Float32Array[]> => {
    if (texts.length === 0) return [];
    const ids = tokens.take(texts);
    // A row no longer than the empty text's (its special tokens only) has no content to pool.
    const empty = ids.findIndex((row) => row.length <= tokens.emptyLength);
    if (empty >= 0) throw new NothingToEmbedError(empty);
    const encoded = padToLongest(ids, read.model.padTokenId);
    const dims = [texts.length, encoded.width];
    const feeds: Record<string, InstanceType<typeof Tensor>> = { input_ids: new Tensor("int64", encoded.inputIds, dims) };
    if (session.inputNames.includes("attention_mask")) feeds.attention_mask = new Tensor("int64", encoded.attentionMask, dims);
    if (session.inputNames.includes("token_type_ids")) feeds.token_type_ids = new Tensor("int64", new BigInt64Array(encoded.inputIds.length), dims);
    const output = await session.run(feeds);
    return poolLastHiddenState(output.last_hidden_state, encoded.attentionMask, texts.length, dimension);
  };

  let probe: Float32Array[];
  try {
    probe = await embed([PROBE_TEXT], hiddenSize);
  } catch (error) {
    await releaseSession(session);
    throw new ModelLoadError(`model ${modelId} does not produce usable embeddings: ${describeError(error)}`, { cause: error });
  }
  const dimension = probe[0]!.length;

  const embedder: Embedder = {
    modelId,
    dimension,
    maxTokens,
    ...(settings.batchSize !== undefined ? { preferredBatchSize: settings.batchSize } : {}),
    embed: (texts) => embed(texts, dimension),
    tokenCounts: tokens.tokenCounts,
    dispose: () => releaseSession(session),
  };
  return { ok: true, embedder };
}

/**
 * Frees a session's native memory. onnxruntime-node 1.14 has no public `release()`; its handler's
 * `dispose()` is what transformers.js 2.17.2 calls (`PreTrainedModel.dispose`).
 */
async function releaseSession(session: object): Promise<void> {
  await (session as { handler?: { dispose?: () => Promise<void> } }).handler?.dispose?.();
}
