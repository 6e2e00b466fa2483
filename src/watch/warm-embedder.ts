import type { Embedder } from "../embed/index.js";
import { loadEmbedderFromRequest, type EmbedderLoader } from "../pipeline/index.js";

/** A loader that keeps its model between runs, and the one call that finally releases it. */
export interface WarmEmbedderLoader {
  loader: EmbedderLoader;
  /** Releases the kept model (if one was loaded). */
  dispose(): Promise<void>;
}

/**
 * Wraps `base` so the model is loaded once and reused by every later run that asks for the same
 * source and token limit: each run's `dispose()` is a no-op, and the model is released by
 * {@link WarmEmbedderLoader.dispose} (or replaced when a run asks for another model). A failed
 * load is not kept, so the next run tries again.
 */
export function keepEmbedderWarm(base: EmbedderLoader = loadEmbedderFromRequest): WarmEmbedderLoader {
  let kept: { key: string; embedder: Promise<Embedder> } | null = null;
  const release = async (): Promise<void> => {
    const old = kept;
    kept = null;
    if (old) await (await old.embedder.catch(() => null))?.dispose();
  };
  const loader: EmbedderLoader = async (request) => {
    const key = JSON.stringify([request.source, request.maxTokens]);
    if (kept?.key !== key) {
      await release();
      kept = { key, embedder: base(request) };
    }
    const current = kept;
    let embedder: Embedder;
    try {
      embedder = await current.embedder;
    } catch (error) {
      if (kept === current) kept = null;
      throw error;
    }
    return {
      modelId: embedder.modelId,
      dimension: embedder.dimension,
      maxTokens: embedder.maxTokens,
      embed: (texts) => embedder.embed(texts),
      ...(embedder.remote ? { remote: embedder.remote } : {}),
      ...(embedder.tokenCounts ? { tokenCounts: (texts: readonly string[]) => embedder.tokenCounts!(texts) } : {}),
      dispose: async () => {},
    };
  };
  return { loader, dispose: release };
}
