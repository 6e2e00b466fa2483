import { UsageError } from "../model/errors.js";
import { type ModelSource, modelIdOf } from "./model-source.js";

/** Base URL used with `--embedder openai` when `--base-url` is not given. */
export const DEFAULT_OPENAI_BASE_URL = "https://api.openai.com/v1";

/** Environment variable holding the API key unless `--api-key-env` names another. */
export const DEFAULT_API_KEY_ENV = "OPENAI_API_KEY";

/**
 * A model behind an OpenAI-compatible `POST <baseUrl>/embeddings` endpoint. Holds the *name* of
 * the variable with the API key, never the key, so it can be recorded in the index manifest.
 */
export interface RemoteModelSource {
  kind: "openai";
  /** `http(s)://host[:port][/path]`, no trailing slash, no credentials, query or fragment. */
  baseUrl: string;
  /** Model name sent in each request (`text-embedding-3-small`, `BAAI/bge-base-en-v1.5`, …). */
  model: string;
  /** Environment variable read for the bearer token; unset means no `Authorization` header. */
  apiKeyEnv: string;
}

/** Any model codesearch can embed with: a transformers.js model (hub or local) or a remote one. */
export type EmbedderSource = ModelSource | RemoteModelSource;

/** The id an OpenAI-compatible model is recorded and cached under: `openai:<host[:port]>/<model>`. */
export function remoteModelId(baseUrl: string, model: string): string {
  return `openai:${new URL(baseUrl).host}/${model}`;
}

/**
 * The id recorded in the index and in cache keys: the hub id, the absolute model directory, or
 * `openai:<host[:port]>/<model>` (so remote vectors never share cache entries with a local model).
 */
export function embedderIdOf(source: EmbedderSource): string {
  return source.kind === "openai" ? remoteModelId(source.baseUrl, source.model) : modelIdOf(source);
}

/**
 * Checks and normalises a `--base-url`: an absolute `http:` or `https:` URL without user name,
 * password, query or fragment (keys belong in the environment, not in a URL that is recorded);
 * trailing slashes are removed.
 * @throws UsageError naming what is wrong.
 */
export function normaliseBaseUrl(text: string): string {
  let url: URL;
  try {
    url = new URL(text);
  } catch (error) {
    throw new UsageError(`--base-url ${JSON.stringify(text)} is not an absolute URL (e.g. http://127.0.0.1:8080/v1)`, { cause: error });
  }
  if (url.protocol !== "http:" && url.protocol !== "https:") throw new UsageError(`--base-url must be http:// or https://, not ${url.protocol}`);
  if (url.username || url.password) throw new UsageError("--base-url must not contain credentials; put the key in the variable --api-key-env names");
  if (url.search || url.hash) throw new UsageError("--base-url must not have a query or fragment");
  return `${url.origin}${url.pathname.replace(/\/+$/, "")}`;
}
