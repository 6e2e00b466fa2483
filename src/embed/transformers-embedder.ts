import path from "node:path";
import { ModelLoadError, describeError } from "../model/errors.js";
import { type Embedder, NothingToEmbedError } from "./embedder.js";
import { DEFAULT_HUB_ENDPOINT, type ModelSource, assertHubModelDownloaded, assertLocalModelFiles, missingModelFiles, modelIdOf } from "./model-source.js";
import { type ModelSettings, readModelSettings } from "./model-settings.js";

/** Options of {@link loadTransformersEmbedder}. */
export interface TransformersEmbedderOptions {
  source: ModelSource;
  /** Per-user directory for downloaded hub models (see `defaultModelCacheDir`). */
  cacheDir: string;
  /** Forbid downloads: hub models must already be in `cacheDir`. */
  offline: boolean;
  /** Hub base URL; default `$HF_ENDPOINT` or {@link DEFAULT_HUB_ENDPOINT}. Files are fetched from `<endpoint>/<id>/resolve/main/<file>`. */
  endpoint?: string;
  /** Load `onnx/model_quantized.onnx` (int8, default) rather than `onnx/model.onnx` (fp32). */
  quantized?: boolean;
  /** Cap on tokens per text; default and upper bound: the tokenizer's `model_max_length`. */
  maxTokens?: number;
}

/** Upper bound used when a tokenizer declares no usable `model_max_length` (CodeBERT's is 512). */
const FALLBACK_MAX_TOKENS = 512;

/** Text embedded once at load time to learn and check the output dimension. */
const PROBE_TEXT = "def probe(): pass";

/**
 * Loads a feature-extraction model with transformers.js (ONNX Runtime on the CPU) and returns an
 * {@link Embedder} that mean-pools `last_hidden_state` over the attention mask and L2-normalises,
 * giving `Float32Array`s of the model's hidden size (768 for CodeBERT).
 *
 * Hub models are downloaded on first use into `cacheDir/<id>/` (transformers.js's file cache) and
 * read from there afterwards. A local model folder may hold `codesearch.json` (see
 * `readModelSettings`): its text preparation is applied to every text before tokenising (in
 * `embed` and `tokenCounts` alike) and its batch size becomes `preferredBatchSize`. Side effects:
 * sets fields of transformers.js's global `env`.
 *
 * @throws ModelLoadError when transformers.js is not installed or does not import (see
 *   {@link importTransformers}), files are missing offline (listing them), `codesearch.json` is
 *   invalid, a download fails, the ONNX
 *   file does not load, or the output is not `[batch, tokens, hidden]` float32 of `config.hidden_size`.
 */
export async function loadTransformersEmbedder(options: TransformersEmbedderOptions): Promise<Embedder> {
  const quantized = options.quantized ?? true;
  const modelId = modelIdOf(options.source);
  const { env, AutoTokenizer, AutoModel, AutoConfig, Tensor } = await importTransformers(modelId);

  let loadName: string;
  let settings: ModelSettings = {};
  if (options.source.kind === "local") {
    assertLocalModelFiles(options.source.dir, quantized);
    settings = readModelSettings(options.source.dir);
    configureLocal(env, path.dirname(options.source.dir));
    loadName = path.basename(options.source.dir);
  } else if (options.offline) {
    assertHubModelDownloaded(options.source.id, options.cacheDir, quantized);
    configureLocal(env, options.cacheDir);
    loadName = options.source.id;
  } else {
    env.allowLocalModels = false;
    env.allowRemoteModels = true;
    env.useFSCache = true;
    env.cacheDir = options.cacheDir;
    env.remoteHost = `${(options.endpoint ?? process.env.HF_ENDPOINT ?? DEFAULT_HUB_ENDPOINT).replace(/\/+$/, "")}/`;
    env.remotePathTemplate = "{model}/resolve/{revision}/";
    loadName = options.source.id;
  }

  let tokenizer: Awaited<ReturnType<typeof AutoTokenizer.from_pretrained>>;
  let model: Awaited<ReturnType<typeof AutoModel.from_pretrained>>;
  let hiddenSize: number | undefined;
  try {
    const config = (await AutoConfig.from_pretrained(loadName)) as unknown as { hidden_size?: number };
    hiddenSize = typeof config.hidden_size === "number" ? config.hidden_size : undefined;
    tokenizer = await AutoTokenizer.from_pretrained(loadName);
    // transformers.js 2.17 answers a CPU session failure with console warnings and a silent switch to
    // its far slower WASM backend; treat that as the load failure it is, with the CPU's reason.
    const loaded = await withCapturedWarnings(() => AutoModel.from_pretrained(loadName, { quantized }));
    const cpuFailure = wasmFallbackReason(loaded.warnings);
    if (loaded.error !== undefined || cpuFailure !== null) {
      await (loaded.value as unknown as { dispose?: () => Promise<void> } | undefined)?.dispose?.();
      throw new Error(cpuFailure !== null ? `ONNX Runtime could not load the model on the CPU (${cpuFailure})` : describeError(loaded.error), {
        cause: loaded.error,
      });
    }
    for (const warning of loaded.warnings) console.warn(warning);
    model = loaded.value!;
  } catch (error) {
    const modelDir = options.source.kind === "hub" ? path.join(options.cacheDir, options.source.id) : options.source.dir;
    const missing = options.source.kind === "hub" ? missingModelFiles(modelDir, quantized) : [];
    throw new ModelLoadError(`could not load model ${modelId}: ${describeError(error)}`, {
      cause: error,
      missingFiles: missing,
      modelDir,
      ...(options.source.kind === "hub" ? { hubId: options.source.id } : {}),
    });
  }

  const declaredMax = (tokenizer as unknown as { model_max_length?: number }).model_max_length;
  const tokenizerMax = typeof declaredMax === "number" && declaredMax > 0 && declaredMax < 100_000 ? declaredMax : FALLBACK_MAX_TOKENS;
  const maxTokens = Math.min(options.maxTokens ?? tokenizerMax, tokenizerMax);

  // transformers.js 2.17 pads every row to `max_length` whenever one is given (measured: only 41%
  // of positions were real tokens on the benchmark corpus). So texts are truncated without padding
  // here, and each batch is padded to its own longest row below.
  const padTokenId = (tokenizer as unknown as { pad_token_id?: number }).pad_token_id ?? 0;
  const prepare = settings.prepareText;
  const tokenizeTruncated = (texts: readonly string[]): number[][] => {
    const encoded = tokenizer(prepare ? texts.map(prepare) : [...texts], { padding: false, truncation: true, max_length: maxTokens, return_tensor: false }) as unknown as {
      input_ids: number[][];
    };
    return encoded.input_ids;
  };

  const emptyLength = tokenizeTruncated([""])[0]!.length;
  const embed = async (texts: readonly string[], dimension: number | undefined): Promise<Float32Array[]> => {
    if (texts.length === 0) return [];
    const ids = tokenizeTruncated(texts);
    // A row no longer than the empty text's (its special tokens only) has no content to pool.
    const empty = ids.findIndex((row) => row.length <= emptyLength);
    if (empty >= 0) throw new NothingToEmbedError(empty);
    const encoded = padToLongest(ids, padTokenId);
    const inputIds = new Tensor("int64", encoded.inputIds, [texts.length, encoded.width]);
    const attentionMask = new Tensor("int64", encoded.attentionMask, [texts.length, encoded.width]);
    const output = (await model({ input_ids: inputIds, attention_mask: attentionMask })) as {
      last_hidden_state?: { data: Float32Array; dims: number[]; type: string };
    };
    return poolLastHiddenState(output.last_hidden_state, encoded.attentionMask, texts.length, dimension);
  };

  let probe: Float32Array[];
  try {
    probe = await embed([PROBE_TEXT], hiddenSize);
  } catch (error) {
    throw new ModelLoadError(`model ${modelId} does not produce usable embeddings: ${describeError(error)}`, { cause: error });
  }
  const dimension = probe[0]!.length;

  return {
    modelId,
    dimension,
    maxTokens,
    ...(settings.batchSize !== undefined ? { preferredBatchSize: settings.batchSize } : {}),
    embed: (texts) => embed(texts, dimension),
    // Tokenising again in embed costs about 1% of the model time; keeping every text's ids would cost memory.
    tokenCounts: (texts) => tokenizeTruncated(texts).map((row) => row.length),
    dispose: async () => {
      await (model as unknown as { dispose?: () => Promise<void> }).dispose?.();
    },
  };
}

/** The transformers.js version codesearch is built and tested against (package.json's optionalDependencies). */
export const TRANSFORMERS_JS_VERSION = "2.17.2";

/**
 * Imports transformers.js. It is an optional dependency: an install without network access to
 * its image library's binaries, or with install scripts blocked, may leave it out or broken, and
 * codesearch-small and lexical search work without it.
 * @throws ModelLoadError saying that model `modelId` needs it and how to get it, when the import fails.
 */
async function importTransformers(modelId: string): Promise<typeof import("@xenova/transformers")> {
  try {
    return await import("@xenova/transformers");
  } catch (error) {
    const missing = (error as { code?: unknown }).code === "ERR_MODULE_NOT_FOUND" && describeError(error).includes("@xenova/transformers");
    throw new ModelLoadError(
      `model ${modelId} needs transformers.js (@xenova/transformers ${TRANSFORMERS_JS_VERSION}), which ${missing ? "is not installed" : `does not load: ${describeError(error)}`}; ` +
        `it is an optional dependency, which npm leaves out when its image library (sharp 0.32) cannot download libvips from GitHub. ` +
        `Install it where GitHub is reachable (\`npm install -g @xenova/transformers@${TRANSFORMERS_JS_VERSION}\` next to a global codesearch), ` +
        `or run codesearch linked from a clone (\`npm link\` there: the clone's transformers.js uses sharp 0.33, no download), ` +
        `or use --model codesearch-small, which runs without it`,
      { cause: error },
    );
  }
}

/**
 * Right-pads token id rows to the longest row with `padTokenId` (mask 0 there).
 * @returns row-major `[rows, width]` int64 ids and 0/1 mask, `width` = the longest row's length.
 */
export function padToLongest(rows: readonly ArrayLike<number>[], padTokenId: number): { inputIds: BigInt64Array; attentionMask: BigInt64Array; width: number } {
  const width = rows.reduce((w, r) => Math.max(w, r.length), 0);
  const inputIds = new BigInt64Array(rows.length * width).fill(BigInt(padTokenId));
  const attentionMask = new BigInt64Array(rows.length * width);
  rows.forEach((row, r) => {
    for (let t = 0; t < row.length; t++) {
      inputIds[r * width + t] = BigInt(row[t]!);
      attentionMask[r * width + t] = 1n;
    }
  });
  return { inputIds, attentionMask, width };
}

/**
 * Checks a model's `last_hidden_state` output and mean-pools it ({@link meanPoolNormalised}).
 * @param hidden the output tensor: `type` "float32", `dims` `[rows, tokens, width]`, row-major `data`
 * @param mask the `[rows, tokens]` attention mask fed to the model
 * @param rows texts fed; `dimension` the width expected, when known
 * @throws Error when the output is missing, not float32 `[rows, tokens, width]`, has another row
 *   count or width, or a row pools to a zero or non-finite vector.
 */
export function poolLastHiddenState(
  hidden: { data: unknown; dims: readonly number[]; type: string } | undefined,
  mask: BigInt64Array,
  rows: number,
  dimension: number | undefined,
): Float32Array[] {
  if (!hidden || hidden.type !== "float32" || hidden.dims.length !== 3 || !(hidden.data instanceof Float32Array)) {
    throw new Error(`model output last_hidden_state is missing or not [batch, tokens, hidden] float32`);
  }
  const [batch, tokens, width] = hidden.dims as [number, number, number];
  if (batch !== rows) throw new Error(`model returned ${batch} rows for ${rows} texts`);
  if (dimension !== undefined && width !== dimension) throw new Error(`model returned ${width}-d vectors, expected ${dimension}`);
  return meanPoolNormalised(hidden.data, mask, batch, tokens, width);
}

/**
 * Mean of the token vectors whose attention mask is 1, then L2-normalised (the pooling of
 * sentence-transformers' `mean` mode and transformers.js's `pooling: 'mean', normalize: true`).
 *
 * @param hidden row-major `[batch, tokens, width]` float32 values
 * @param mask row-major `[batch, tokens]` 0/1 values
 * @returns `batch` arrays of length `width`
 * @throws NothingToEmbedError when a row has no unmasked token; Error when one pools to a zero or
 *   non-finite vector.
 */
export function meanPoolNormalised(hidden: Float32Array, mask: BigInt64Array, batch: number, tokens: number, width: number): Float32Array[] {
  const vectors: Float32Array[] = [];
  for (let b = 0; b < batch; b++) {
    const sum = new Float32Array(width);
    let count = 0;
    for (let t = 0; t < tokens; t++) {
      if (mask[b * tokens + t] === 0n) continue;
      count++;
      const offset = (b * tokens + t) * width;
      for (let d = 0; d < width; d++) sum[d]! += hidden[offset + d]!;
    }
    if (count === 0) throw new NothingToEmbedError(b);
    let norm = 0;
    for (let d = 0; d < width; d++) norm += sum[d]! * sum[d]!;
    norm = Math.sqrt(norm);
    if (!Number.isFinite(norm) || norm === 0) throw new Error(`row ${b} pools to a zero or non-finite vector`);
    for (let d = 0; d < width; d++) sum[d]! /= norm;
    vectors.push(sum);
  }
  return vectors;
}

/**
 * Runs `load` with `console.warn` collected instead of printed (transformers.js reports load
 * problems only that way), restoring it afterwards. A thrown error is returned, not rethrown, so
 * the caller sees it together with the warnings that explain it.
 */
async function withCapturedWarnings<T>(load: () => Promise<T>): Promise<{ value?: T; error?: unknown; warnings: string[] }> {
  const original = console.warn;
  const warnings: string[] = [];
  console.warn = (...args: unknown[]) => {
    warnings.push(args.map((a) => (a instanceof Error ? a.message : String(a))).join(" ").replace(/\s+/g, " ").trim());
  };
  try {
    return { value: await load(), warnings };
  } catch (error) {
    return { error, warnings };
  } finally {
    console.warn = original;
  }
}

/** The CPU provider's error when transformers.js announced its WASM fallback, else null. */
function wasmFallbackReason(warnings: readonly string[]): string | null {
  const index = warnings.findIndex((w) => w.includes("Using `wasm` as a fallback"));
  return index < 0 ? null : warnings.slice(0, index).join("; ") || "no reason given";
}

function configureLocal(env: { allowLocalModels: boolean; allowRemoteModels: boolean; localModelPath: string; useFSCache: boolean }, root: string): void {
  env.allowLocalModels = true;
  env.allowRemoteModels = false;
  env.useFSCache = false;
  env.localModelPath = `${root.replace(/\/+$/, "")}/`;
}
