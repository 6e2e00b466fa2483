import { setTimeout as sleepMs } from "node:timers/promises";
import pRetry from "p-retry";
import { CodesearchError, EmbeddingServiceError, describeError } from "../model/errors.js";
import type { Embedder } from "./embedder.js";
import { EmbeddingRequestError, postEmbeddings } from "./embeddings-request.js";
import { remoteModelId } from "./provider-spec.js";
import { truncateToTokens } from "./token-budget.js";

/** Texts per request unless `--batch-size` says otherwise; OpenAI-style APIs accept up to 2048. */
export const DEFAULT_REMOTE_BATCH_SIZE = 100;
/** Estimated tokens per request; below OpenAI's per-request cap (300,000 summed over the inputs). */
export const DEFAULT_REMOTE_BATCH_TOKENS = 100_000;
/** Requests in flight at once. */
export const DEFAULT_REMOTE_CONCURRENCY = 4;
/** Whole-request time limit, in ms. */
export const DEFAULT_REQUEST_TIMEOUT_MS = 60_000;
/** Retries of one request after its first attempt (so at most 6 attempts). */
export const DEFAULT_REMOTE_RETRIES = 5;
/** Token limit per text for remote models: OpenAI's text-embedding-3 input limit. */
export const DEFAULT_REMOTE_MAX_TOKENS = 8192;

/** Text embedded once at load time to learn the dimension and check the URL, key and model. */
const PROBE_TEXT = "def probe(): pass";

/** Options of {@link loadOpenAIEmbedder}. */
export interface OpenAIEmbedderOptions {
  /** `http(s)://host[:port]/v1`-style base; requests go to `<baseUrl>/embeddings`. */
  baseUrl: string;
  /** Model name sent in each request. */
  model: string;
  /** Bearer token, or undefined for servers without authentication. Never printed or logged. */
  apiKey: string | undefined;
  /** Texts are cut to this many estimated tokens (see token-budget.ts); default {@link DEFAULT_REMOTE_MAX_TOKENS}. */
  maxTokens?: number;
  batchSize?: number;
  batchTokens?: number;
  concurrency?: number;
  requestTimeoutMs?: number;
  retries?: number;
  /** First backoff delay, in ms (doubles per retry, times a random factor in [1, 2)); default 500. */
  retryMinDelayMs?: number;
  /** Longest backoff delay, in ms; default 30 s. */
  retryMaxDelayMs?: number;
  /** Longest `Retry-After` honoured, in ms (a longer one is waited this long); default 60 s. */
  maxRetryAfterMs?: number;
  /** Waits `ms` before a retry the server asked to delay; default a timer. Tests record the waits. */
  sleep?: (ms: number) => Promise<void>;
}

/** Request tuning a caller may set for remote embedders (the CLI's `--batch-size`, `--concurrency`, …). */
export type RemoteTuning = Pick<OpenAIEmbedderOptions, "batchSize" | "batchTokens" | "concurrency" | "requestTimeoutMs" | "retries">;

/**
 * Connects to an OpenAI-compatible `POST /v1/embeddings` endpoint (OpenAI, Hugging Face TEI,
 * vLLM, Ollama, …) and returns an {@link Embedder} with `remote` batching settings. One probe
 * request at load learns the dimension and proves the URL, key and model.
 *
 * Each `embed` call is one request, retried on timeouts, network errors, malformed responses,
 * 408/409/425/429 and 5xx with exponential backoff and jitter (p-retry), waiting at least what
 * `Retry-After` asks on 429/503. Texts are cut to `maxTokens` estimated tokens first.
 *
 * @throws EmbeddingServiceError when the probe fails (unreachable, 401/403/404, or any other
 *   failure after retries); the message never contains the API key.
 */
export async function loadOpenAIEmbedder(options: OpenAIEmbedderOptions): Promise<Embedder> {
  const modelId = remoteModelId(options.baseUrl, options.model);
  const maxTokens = options.maxTokens ?? DEFAULT_REMOTE_MAX_TOKENS;
  const send = retryingSender(options, modelId);
  let dimension: number;
  try {
    const [probe] = await send([PROBE_TEXT], undefined);
    dimension = probe!.length;
  } catch (error) {
    if (error instanceof CodesearchError) throw error;
    throw new EmbeddingServiceError(`cannot embed with ${modelId} at ${options.baseUrl}: ${describeError(error)}`, {
      cause: error,
      ...(error instanceof EmbeddingRequestError && error.status !== undefined ? { status: error.status } : {}),
    });
  }
  return {
    modelId,
    dimension,
    maxTokens,
    remote: {
      maxItems: options.batchSize ?? DEFAULT_REMOTE_BATCH_SIZE,
      maxTokens: options.batchTokens ?? DEFAULT_REMOTE_BATCH_TOKENS,
      concurrency: options.concurrency ?? DEFAULT_REMOTE_CONCURRENCY,
    },
    embed: async (texts) => {
      if (texts.length === 0) return [];
      if (texts.some((t) => t.trim() === "")) {
        throw new EmbeddingRequestError("cannot embed an empty text", { retryable: false });
      }
      return send(texts.map((t) => truncateToTokens(t, maxTokens).text), dimension);
    },
    dispose: async () => {},
  };
}

/**
 * One request with retries. p-retry's delays cannot be set per failure, so a `Retry-After` is
 * honoured by waiting it out in `onFailedAttempt` before p-retry's own backoff delay: the retry
 * comes no sooner than the server asked, and the backoff still spreads clients apart.
 */
function retryingSender(options: OpenAIEmbedderOptions, modelId: string) {
  const sleep = options.sleep ?? ((ms: number) => sleepMs(ms));
  const maxRetryAfterMs = options.maxRetryAfterMs ?? 60_000;
  return async (texts: readonly string[], dimension: number | undefined): Promise<Float32Array[]> => {
    try {
      return await pRetry(
        () =>
          postEmbeddings(texts, {
            baseUrl: options.baseUrl,
            model: options.model,
            apiKey: options.apiKey,
            timeoutMs: options.requestTimeoutMs ?? DEFAULT_REQUEST_TIMEOUT_MS,
            dimension,
            modelId,
          }),
        {
          retries: options.retries ?? DEFAULT_REMOTE_RETRIES,
          factor: 2,
          minTimeout: options.retryMinDelayMs ?? 500,
          maxTimeout: options.retryMaxDelayMs ?? 30_000,
          randomize: true,
          shouldRetry: ({ error }) => error instanceof EmbeddingRequestError && error.retryable,
          onFailedAttempt: async ({ error, retriesLeft }) => {
            if (error instanceof EmbeddingRequestError && error.retryable && retriesLeft > 0 && error.retryAfterMs !== undefined) {
              await sleep(Math.min(error.retryAfterMs, maxRetryAfterMs));
            }
          },
        },
      );
    } catch (error) {
      if (error instanceof EmbeddingRequestError && error.unreachable) {
        throw new EmbeddingServiceError(`the embedding service for ${modelId} is unreachable: ${error.message}`, { cause: error });
      }
      throw error;
    }
  };
}
