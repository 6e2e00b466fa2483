import { readFileSync } from "node:fs";
import path from "node:path";
import { ModelLoadError, describeError } from "../model/errors.js";
import { readByteLevelBpe } from "./byte-level-bpe.js";
import { type ModelSource, assertLocalModelFiles, modelIdOf } from "./model-source.js";
import { type ModelSettings, readModelSettings } from "./model-settings.js";
import { type TextTokenIds, textTokenIds } from "./text-token-ids.js";

/** A local model folder read for the embedders that tokenise in JavaScript. */
export interface LocalTokenizedModel {
  /** Identity for the index and cache keys ({@link modelIdOf}). */
  modelId: string;
  /** Token limit: the one asked for, capped at the tokenizer's `model_max_length`. */
  maxTokens: number;
  /** `config.json`'s `hidden_size`, when it is a number. */
  hiddenSize: number | undefined;
  settings: ModelSettings;
  /** Id that pads a batch's shorter rows (the tokenizer's pad token, else its eos token). */
  padTokenId: number;
  tokens: TextTokenIds;
}

/**
 * Reads a local model folder's tokenizer, `config.json` and `codesearch.json` for an embedder that
 * tokenises with `byte-level-bpe.ts`.
 * @param quantized which ONNX file must be present (`onnx/model_quantized.onnx`, else `onnx/model.onnx`)
 * @returns `{ ok: false, reason }` when the tokenizer is not a byte-level BPE that file reproduces exactly.
 * @throws ModelLoadError when required files are missing, or the tokenizer, config or
 *   `codesearch.json` is not valid.
 */
export function readLocalTokenizedModel(
  source: Extract<ModelSource, { kind: "local" }>,
  quantized: boolean,
  maxTokens: number | undefined,
): { ok: true; model: LocalTokenizedModel } | { ok: false; reason: string } {
  const dir = source.dir;
  const modelId = modelIdOf(source);
  assertLocalModelFiles(dir, quantized);
  let read: ReturnType<typeof readByteLevelBpe>;
  let hiddenSize: number | undefined;
  try {
    read = readByteLevelBpe(dir);
    const config = JSON.parse(readFileSync(path.join(dir, "config.json"), "utf8")) as { hidden_size?: unknown };
    hiddenSize = typeof config.hidden_size === "number" ? config.hidden_size : undefined;
  } catch (error) {
    throw new ModelLoadError(`could not read the tokenizer or config of model ${modelId}: ${describeError(error)}`, { cause: error, modelDir: dir });
  }
  if (!read.ok) return read;
  const tokenizer = read.tokenizer;
  const settings = readModelSettings(dir);
  const limit = Math.min(maxTokens ?? tokenizer.modelMaxLength, tokenizer.modelMaxLength);
  return { ok: true, model: { modelId, maxTokens: limit, hiddenSize, settings, padTokenId: tokenizer.padTokenId, tokens: textTokenIds(tokenizer, settings.prepareText, limit) } };
}
