import {
  DEFAULT_API_KEY_ENV,
  DEFAULT_OPENAI_BASE_URL,
  type EmbedderSource,
  normaliseBaseUrl,
  type RemoteTuning,
} from "../embed/index.js";
import { UsageError } from "../model/errors.js";

/** The command-line options that choose and tune the embedder (`index`; `search` takes the tuning ones). */
export interface EmbedderCliOptions {
  /** `local` (transformers.js) or `openai` (any OpenAI-compatible endpoint). */
  embedder?: string;
  model?: string;
  baseUrl?: string;
  apiKeyEnv?: string;
  batchSize?: number;
  batchTokens?: number;
  concurrency?: number;
  /** Per-request limit, in seconds. */
  requestTimeout?: number;
  retries?: number;
}

/** Values `--embedder` accepts. */
export const EMBEDDER_KINDS = ["local", "openai"] as const;

/**
 * The remote model `--embedder openai` asks for, or undefined for the local embedder (then
 * `--model` or the index's own model applies, as before).
 * @throws UsageError when `--embedder openai` lacks `--model`, `--base-url` is not an http(s)
 *   URL, `--api-key-env` is not a variable name, or endpoint options come without `--embedder openai`.
 */
export function embedderSourceFromOptions(options: EmbedderCliOptions): EmbedderSource | undefined {
  const kind = options.embedder ?? "local";
  if (!(EMBEDDER_KINDS as readonly string[]).includes(kind)) throw new UsageError(`--embedder must be one of ${EMBEDDER_KINDS.join(", ")}, not ${kind}`);
  if (kind === "local") {
    const stray = options.baseUrl !== undefined ? "--base-url" : options.apiKeyEnv !== undefined ? "--api-key-env" : undefined;
    if (stray) throw new UsageError(`${stray} goes with --embedder openai`);
    return undefined;
  }
  if (!options.model) throw new UsageError("--embedder openai needs --model <name>: the model the server serves (e.g. text-embedding-3-small)");
  const apiKeyEnv = options.apiKeyEnv ?? DEFAULT_API_KEY_ENV;
  if (!/^[A-Za-z_][A-Za-z0-9_]*$/.test(apiKeyEnv)) throw new UsageError(`--api-key-env takes the name of an environment variable, not ${JSON.stringify(apiKeyEnv)}`);
  return { kind: "openai", baseUrl: normaliseBaseUrl(options.baseUrl ?? DEFAULT_OPENAI_BASE_URL), model: options.model, apiKeyEnv };
}

/** The request tuning given on the command line (`--request-timeout` in seconds becomes ms), or undefined when none. */
export function remoteTuningFromOptions(options: EmbedderCliOptions): RemoteTuning | undefined {
  const tuning: RemoteTuning = {
    ...(options.batchSize !== undefined ? { batchSize: options.batchSize } : {}),
    ...(options.batchTokens !== undefined ? { batchTokens: options.batchTokens } : {}),
    ...(options.concurrency !== undefined ? { concurrency: options.concurrency } : {}),
    ...(options.requestTimeout !== undefined ? { requestTimeoutMs: options.requestTimeout * 1000 } : {}),
    ...(options.retries !== undefined ? { retries: options.retries } : {}),
  };
  return Object.keys(tuning).length > 0 ? tuning : undefined;
}

/**
 * The `indexRepo` fields for these options, each only when set: `source` (`--embedder openai`),
 * `localOnly` (`--embedder local`) and `remote` (request tuning).
 * @throws UsageError as {@link embedderSourceFromOptions}.
 */
export function embedderRunOptions(options: EmbedderCliOptions): { source?: EmbedderSource; localOnly?: boolean; remote?: RemoteTuning } {
  const source = embedderSourceFromOptions(options);
  const remote = remoteTuningFromOptions(options);
  return { ...(source ? { source } : {}), ...(options.embedder === "local" ? { localOnly: true } : {}), ...(remote ? { remote } : {}) };
}
