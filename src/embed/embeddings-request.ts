/**
 * One `POST <baseUrl>/embeddings` request in the OpenAI wire format, its response validated, and
 * every failure classified (retry it, split the batch, or give up on the service). No retries here.
 */
import { z } from "zod";
import { EmbeddingServiceError, IndexMismatchError } from "../model/errors.js";

/** Statuses worth sending again unchanged: timeouts, conflicts, rate limits and server errors. */
const RETRYABLE_STATUSES = new Set([408, 409, 425, 429, 500, 502, 503, 504]);
/** Statuses that condemn the whole service, not one input: bad key, no permission, wrong URL or model. */
const SERVICE_STATUSES = new Set([401, 403, 404]);
/** Socket errors meaning the server cannot be reached at all. */
const UNREACHABLE_CODES = new Set(["ECONNREFUSED", "ENOTFOUND", "EAI_AGAIN", "EHOSTUNREACH", "ENETUNREACH"]);
/** Longest piece of an error body quoted in a message, in characters. */
const MAX_QUOTED_BODY = 300;

/**
 * A failed request whose fault may lie with its inputs or be passing: `retryable` ones (timeouts,
 * 429, 5xx, cut or malformed responses) are sent again; the others (400, 413, 422, zero vectors)
 * are for the caller to narrow down by splitting the batch.
 */
export class EmbeddingRequestError extends Error {
  /** HTTP status, when a response arrived. */
  readonly status: number | undefined;
  readonly retryable: boolean;
  /** Wait the server asked for (`retry-after-ms` or `Retry-After`, on 429 and 503), in ms. */
  readonly retryAfterMs: number | undefined;
  /** The connection itself failed (refused, unknown host): the service is down, not the input. */
  readonly unreachable: boolean;
  constructor(message: string, options: { status?: number; retryable: boolean; retryAfterMs?: number; unreachable?: boolean; cause?: unknown }) {
    super(message, { cause: options.cause });
    this.name = "EmbeddingRequestError";
    this.status = options.status;
    this.retryable = options.retryable;
    this.retryAfterMs = options.retryAfterMs;
    this.unreachable = options.unreachable ?? false;
  }
}

/** What one request needs. */
export interface EmbeddingsRequest {
  /** `http(s)://host[:port]/path`, without a trailing `/embeddings`. */
  baseUrl: string;
  model: string;
  /** Sent as `Authorization: Bearer …` when set; redacted from every message. */
  apiKey: string | undefined;
  /** Whole-request limit, in ms. */
  timeoutMs: number;
  /** Expected vector length; undefined only for the first (probing) request. */
  dimension: number | undefined;
  /** Shown in messages (`openai:host/model`). */
  modelId: string;
}

const responseSchema = z.object({
  data: z.array(z.object({ index: z.number().int().nonnegative(), embedding: z.array(z.number()) })),
});

/**
 * Sends `texts` (non-empty strings) in one request and returns one L2-normalised `Float32Array`
 * per text, in input order (the response is re-ordered by its `index` fields).
 * @throws EmbeddingRequestError for a failed or malformed exchange (see its fields);
 *   EmbeddingServiceError on 401/403/404; IndexMismatchError when the vectors' length is not
 *   `request.dimension`.
 */
export async function postEmbeddings(texts: readonly string[], request: EmbeddingsRequest): Promise<Float32Array[]> {
  const url = `${request.baseUrl.replace(/\/+$/, "")}/embeddings`;
  const redact = (text: string): string => (request.apiKey ? text.split(request.apiKey).join("[redacted]") : text);
  let response: Response;
  let body: string;
  try {
    response = await fetch(url, {
      method: "POST",
      headers: { "content-type": "application/json", ...(request.apiKey ? { authorization: `Bearer ${request.apiKey}` } : {}) },
      body: JSON.stringify({ input: texts, model: request.model }),
      signal: AbortSignal.timeout(request.timeoutMs),
    });
    body = await response.text();
  } catch (error) {
    throw transportError(error, url, request.timeoutMs);
  }
  if (!response.ok) {
    const detail = redact(errorDetail(body));
    const status = response.status;
    const message = `HTTP ${status} from ${url}${detail ? `: ${detail}` : ""}`;
    if (SERVICE_STATUSES.has(status)) {
      const hint = status === 404 ? "check --base-url and --model" : "check the API key (--api-key-env)";
      throw new EmbeddingServiceError(`the embedding service refused ${request.modelId}: ${message} (${hint})`, { status });
    }
    const retryable = RETRYABLE_STATUSES.has(status) || status >= 500;
    const retryAfterMs = status === 429 || status === 503 ? parseRetryAfter(response.headers) : undefined;
    throw new EmbeddingRequestError(message, { status, retryable, ...(retryAfterMs !== undefined ? { retryAfterMs } : {}) });
  }
  return parseVectors(body, texts.length, request, url);
}

function parseVectors(body: string, count: number, request: EmbeddingsRequest, url: string): Float32Array[] {
  const malformed = (why: string) => new EmbeddingRequestError(`malformed response from ${url}: ${why}`, { status: 200, retryable: true });
  let json: unknown;
  try {
    json = JSON.parse(body);
  } catch {
    throw malformed(`not JSON (${body.length} bytes)`);
  }
  const parsed = responseSchema.safeParse(json);
  if (!parsed.success) throw malformed(`expected {"data": [{"index", "embedding"}]} (${parsed.error.issues[0]?.message ?? "invalid"})`);
  const data = parsed.data.data;
  if (data.length !== count) throw malformed(`${data.length} embeddings for ${count} inputs`);
  const vectors: (Float32Array | undefined)[] = new Array(count);
  for (const item of data) {
    if (item.index >= count || vectors[item.index]) throw malformed(`index ${item.index} is out of range or repeated`);
    const width = item.embedding.length;
    if (request.dimension !== undefined && width !== request.dimension) {
      throw new IndexMismatchError(
        `${request.modelId} returned a ${width}-d vector, but the index holds ${request.dimension}-d vectors; ` +
          `the server is not serving the model the index was built with`,
      );
    }
    vectors[item.index] = normalise(item.embedding, item.index, url);
  }
  return vectors as Float32Array[];
}

function normalise(values: number[], index: number, url: string): Float32Array {
  const vector = Float32Array.from(values);
  let norm = 0;
  for (const v of vector) norm += v * v;
  norm = Math.sqrt(norm);
  if (vector.length === 0 || !Number.isFinite(norm) || norm === 0) {
    throw new EmbeddingRequestError(`${url} returned an empty, zero or non-finite vector for input ${index}`, { status: 200, retryable: false });
  }
  return vector.map((v) => v / norm);
}

function transportError(error: unknown, url: string, timeoutMs: number): EmbeddingRequestError {
  if (error instanceof Error && error.name === "TimeoutError") {
    return new EmbeddingRequestError(`no response from ${url} within ${timeoutMs} ms`, { retryable: true, cause: error });
  }
  const code = (error as { cause?: { code?: unknown } } | undefined)?.cause?.code;
  const unreachable = typeof code === "string" && UNREACHABLE_CODES.has(code);
  const reason = typeof code === "string" ? code : error instanceof Error ? error.message : String(error);
  return new EmbeddingRequestError(`request to ${url} failed: ${reason}`, { retryable: true, unreachable, cause: error });
}

/** The `error.message` of an OpenAI-style error body, else the body's start, on one line. */
function errorDetail(body: string): string {
  let json: { error?: { message?: unknown } | string; message?: unknown } | null;
  try {
    json = JSON.parse(body) as typeof json;
  } catch {
    json = null; // not JSON: quote the text itself
  }
  const inner = typeof json?.error === "object" ? json.error?.message : json?.error ?? json?.message;
  let detail = typeof inner === "string" ? inner : body;
  detail = detail.replace(/\s+/g, " ").trim();
  return detail.length > MAX_QUOTED_BODY ? `${detail.slice(0, MAX_QUOTED_BODY)}…` : detail;
}

/**
 * The wait a 429/503 response asks for, in ms: OpenAI's `retry-after-ms`, else `Retry-After` as
 * seconds or an HTTP date (RFC 9110 §10.2.3); undefined when absent or unreadable.
 */
export function parseRetryAfter(headers: Headers, nowMs: number = Date.now()): number | undefined {
  const ms = Number(headers.get("retry-after-ms") ?? Number.NaN);
  if (Number.isFinite(ms) && ms >= 0) return ms;
  const value = headers.get("retry-after")?.trim();
  if (!value) return undefined;
  if (/^\d+(\.\d+)?$/.test(value)) return Number(value) * 1000;
  const date = Date.parse(value);
  return Number.isNaN(date) ? undefined : Math.max(0, date - nowMs);
}
