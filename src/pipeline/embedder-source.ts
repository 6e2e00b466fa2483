import { DEFAULT_MODEL_ID, type EmbedderSource, resolveModelSource } from "../embed/index.js";
import type { IndexManifest } from "../store/index.js";

/**
 * The model an index run uses, in order of precedence: an explicit `source` (`--embedder openai`
 * …), a `model` given by hub id or directory (`--model`), the remote endpoint the manifest records
 * (unless `localOnly`, from `--embedder local`), the model id it records (or `recordedModelId`, read
 * from a manifest of another schema version), else {@link DEFAULT_MODEL_ID}. Relative directories
 * resolve against `cwd`.
 */
export function chooseEmbedderSource(
  requested: { source?: EmbedderSource; model?: string; localOnly?: boolean },
  manifest: IndexManifest | null,
  cwd: string,
  recordedModelId: string | null = null,
): EmbedderSource {
  if (requested.source) return requested.source;
  if (requested.model !== undefined) return resolveModelSource(requested.model, cwd);
  if (manifest && !(requested.localOnly && manifest.embedder)) return embedderSourceOfManifest(manifest, cwd);
  return resolveModelSource((manifest ? null : recordedModelId) ?? DEFAULT_MODEL_ID, cwd);
}

/** The model that built an index: its recorded remote endpoint, else its hub id or directory. */
export function embedderSourceOfManifest(manifest: IndexManifest, cwd: string): EmbedderSource {
  const remote = manifest.embedder;
  if (remote) return { kind: "openai", baseUrl: remote.baseUrl, model: remote.model, apiKeyEnv: remote.apiKeyEnv };
  return resolveModelSource(manifest.modelId, cwd);
}

/** The manifest's `embedder` field for `source`: the endpoint of a remote model (no key), nothing for local ones. */
export function manifestEmbedderOf(source: EmbedderSource): Pick<IndexManifest, "embedder"> {
  if (source.kind !== "openai") return {};
  return { embedder: { provider: "openai", baseUrl: source.baseUrl, model: source.model, apiKeyEnv: source.apiKeyEnv } };
}
