/**
 * Reads the ranking stage's configuration shipped beside a model (`ranker.json`); owns only that
 * file's reading, not what the configuration means (rank/ranker-config.ts).
 */
import { existsSync, readFileSync } from "node:fs";
import path from "node:path";
import type { EmbedderSource } from "../embed/index.js";
import { ModelLoadError, UsageError, describeError } from "../model/errors.js";
import { DEFAULT_RANKER, type RankerConfig, parseRankerConfig } from "../rank/index.js";

/** Name of the ranker file in a model folder. */
export const RANKER_FILE = "ranker.json";

/**
 * The ranker of a model: `<model dir>/ranker.json` for a local model folder that has one, else
 * {@link DEFAULT_RANKER} (hub and remote models, and folders without the file).
 * @throws ModelLoadError when the file is not JSON or not a valid ranker configuration.
 */
export function rankerOfModel(source: EmbedderSource): RankerConfig {
  if (source.kind !== "local") return DEFAULT_RANKER;
  const file = path.join(source.dir, RANKER_FILE);
  if (!existsSync(file)) return DEFAULT_RANKER;
  try {
    return parseRankerConfig(JSON.parse(readFileSync(file, "utf8")));
  } catch (error) {
    throw new ModelLoadError(`${file} is not a valid ranker configuration: ${describeError(error)}`, { cause: error });
  }
}

/**
 * A ranker configuration file given by hand (`--ranker <file>`, for ablations and fitting).
 * @throws UsageError when the file cannot be read or is not a valid ranker configuration.
 */
export function readRankerFile(file: string): RankerConfig {
  try {
    return parseRankerConfig(JSON.parse(readFileSync(file, "utf8")));
  } catch (error) {
    throw new UsageError(`--ranker ${file}: not a readable ranker configuration: ${describeError(error)}`, { cause: error });
  }
}
