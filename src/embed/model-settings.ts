import { existsSync, readFileSync } from "node:fs";
import path from "node:path";
import { z } from "zod";
import { identifierWords } from "../model/identifier-words.js";
import { ModelLoadError, describeError } from "../model/errors.js";

/** Name of the optional file in a model folder that says how codesearch must feed the model. */
export const MODEL_SETTINGS_FILE = "codesearch.json";

/**
 * Text preparations a model folder may ask for, applied to every text (entities and queries)
 * before tokenising. `split-identifiers`: {@link identifierWords} (`parseHTTPHeader` →
 * `parse http header`), the preparation models/codesearch-small was trained with.
 */
const TEXT_PREPARATIONS = { "split-identifiers": identifierWords } as const;

const settingsSchema = z
  .object({
    textPreparation: z.enum(Object.keys(TEXT_PREPARATIONS) as [keyof typeof TEXT_PREPARATIONS]).optional(),
    batchSize: z.number().int().min(1).max(4096).optional(),
    embedding: z.string().optional(),
  })
  .passthrough();

/** What a model folder's `codesearch.json` asks for; a folder without one gets `{}`. */
export interface ModelSettings {
  /** Applied to each text before tokenising; absent: texts are tokenised as they are. */
  prepareText?: (text: string) => string;
  /** Name of that preparation, as written in the file (`split-identifiers`). */
  textPreparation?: string;
  /** Texts per model call when `--batch-size` is not given (the default is 1 otherwise). */
  batchSize?: number;
  /**
   * `token-mean`: the ONNX graph is scripts/train-model/export_onnx.py's token table (one int8 row
   * per token, vector = mean of the text's rows, L2-normalised), which codesearch computes itself
   * from the file (src/embed/token-table-embedder.ts) instead of running onnxruntime.
   */
  embedding?: "token-mean";
}

/**
 * Reads `<dir>/codesearch.json`: `{ "textPreparation"?: "split-identifiers", "batchSize"?: 1…4096,
 * "embedding"?: "token-mean" }` (other keys, and other `embedding` values, are ignored). Returns `{}` when the file does not exist.
 * @throws ModelLoadError when the file is not JSON or names an unknown preparation or a bad batch size.
 */
export function readModelSettings(dir: string): ModelSettings {
  const file = path.join(dir, MODEL_SETTINGS_FILE);
  if (!existsSync(file)) return {};
  let parsed: z.infer<typeof settingsSchema>;
  try {
    parsed = settingsSchema.parse(JSON.parse(readFileSync(file, "utf8")));
  } catch (error) {
    throw new ModelLoadError(`${file} is not valid model settings: ${describeError(error)}`, { cause: error });
  }
  const settings: ModelSettings = {};
  if (parsed.textPreparation !== undefined) {
    settings.textPreparation = parsed.textPreparation;
    settings.prepareText = TEXT_PREPARATIONS[parsed.textPreparation];
  }
  if (parsed.batchSize !== undefined) settings.batchSize = parsed.batchSize;
  // An optimisation hint: a value this version does not know leaves the model on onnxruntime.
  if (parsed.embedding === "token-mean") settings.embedding = parsed.embedding;
  return settings;
}
