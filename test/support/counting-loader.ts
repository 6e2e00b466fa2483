// A model loader for in-process pipeline tests: loads the committed test model offline and counts loads.
import { loadTransformersEmbedder } from "../../src/embed/transformers-embedder.js";
import type { EmbedderLoader } from "../../src/pipeline/load-embedder.js";

/** An {@link EmbedderLoader} for the real transformers.js embedder that counts how often it ran. */
export type CountingLoader = EmbedderLoader & { loads: number };

/** A loader that delegates to the real transformers.js embedder (offline) and counts its loads. */
export function countingLoader(): CountingLoader {
  const loader = (async (request) => {
    loader.loads++;
    if (request.source.kind === "openai") throw new Error("countingLoader loads local models only");
    return loadTransformersEmbedder({ source: request.source, cacheDir: request.cacheDir, offline: true, maxTokens: request.maxTokens });
  }) as CountingLoader;
  loader.loads = 0;
  return loader;
}
