import {
  DEFAULT_BATCH_SIZE,
  DEFAULT_MODEL_ID,
  DEFAULT_REMOTE_BATCH_SIZE,
  DEFAULT_REMOTE_BATCH_TOKENS,
  type EmbedderSource,
  type EstimateLimits,
  type RemoteTuning,
  readModelSettings,
  resolveModelSource,
} from "../embed/index.js";
import type { IndexManifest, StartedManifest } from "../store/index.js";

/**
 * The model an index run uses, in order of precedence: an explicit `source` (`--embedder openai`
 * …), a `model` given by hub id or directory (`--model`), the remote endpoint the manifest records
 * (unless `localOnly`, from `--embedder local`), the model id it records (or `recordedModelId`, read
 * from a manifest of another schema version), else {@link DEFAULT_MODEL_ID}. `manifest` may be the
 * one a first run wrote when it started (the model chosen then). Relative directories resolve
 * against `cwd`.
 */
export function chooseEmbedderSource(
  requested: { source?: EmbedderSource; model?: string; localOnly?: boolean },
  manifest: IndexManifest | StartedManifest | null,
  cwd: string,
  recordedModelId: string | null = null,
): EmbedderSource {
  if (requested.source) return requested.source;
  if (requested.model !== undefined) return resolveModelSource(requested.model, cwd);
  if (manifest && !(requested.localOnly && manifest.embedder)) return embedderSourceOfManifest(manifest, cwd);
  return resolveModelSource((manifest ? null : recordedModelId) ?? DEFAULT_MODEL_ID, cwd);
}

/** The model that built an index: its recorded remote endpoint, else its hub id or directory. */
export function embedderSourceOfManifest(manifest: Pick<IndexManifest, "embedder" | "modelId">, cwd: string): EmbedderSource {
  const remote = manifest.embedder;
  if (remote) return { kind: "openai", baseUrl: remote.baseUrl, model: remote.model, apiKeyEnv: remote.apiKeyEnv };
  return resolveModelSource(manifest.modelId, cwd);
}

/** The manifest's `embedder` field for `source`: the endpoint of a remote model (no key), nothing for local ones. */
export function manifestEmbedderOf(source: EmbedderSource): Pick<IndexManifest, "embedder"> {
  if (source.kind !== "openai") return {};
  return { embedder: { provider: "openai", baseUrl: source.baseUrl, model: source.model, apiKeyEnv: source.apiKeyEnv } };
}

/**
 * How a run with `source` batches its texts, for estimates: `--batch-size` texts per model call
 * locally, else the batch size of a local model folder's `codesearch.json` (64 for
 * codesearch-small), else 1, as the embedding loop does; per request (default 100) and
 * `--batch-tokens` (default 100,000) remotely.
 * @throws ModelLoadError when a local model folder's `codesearch.json` is invalid.
 */
export function batchLimitsOf(source: EmbedderSource, options: { batchSize?: number; remote?: RemoteTuning }, tokenLimit: number): EstimateLimits {
  if (source.kind === "local") return { tokenLimit, maxItems: options.batchSize ?? readModelSettings(source.dir).batchSize ?? DEFAULT_BATCH_SIZE };
  if (source.kind === "hub") return { tokenLimit, maxItems: options.batchSize ?? DEFAULT_BATCH_SIZE };
  return {
    tokenLimit,
    maxItems: options.remote?.batchSize ?? options.batchSize ?? DEFAULT_REMOTE_BATCH_SIZE,
    maxTokens: options.remote?.batchTokens ?? DEFAULT_REMOTE_BATCH_TOKENS,
  };
}
