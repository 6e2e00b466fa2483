// Batch shapes for driving an ONNX encoder directly: length-sorted batches, padding, input
// tensors, timed runs and mean pooling. No file I/O; the caller owns the session.
import { performance } from "node:perf_hooks";

/** Indices of `lengths` sorted by length, ties by index (deterministic). */
export function lengthSortedOrder(lengths) {
  return lengths.map((_, i) => i).sort((a, b) => lengths[a] - lengths[b] || a - b);
}

/** `order` cut into consecutive groups of `batchSize` (the last one may be shorter). */
export function batchesOf(order, batchSize) {
  const batches = [];
  for (let i = 0; i < order.length; i += batchSize) batches.push(order.slice(i, i + batchSize));
  return batches;
}

/**
 * Share of computed token positions that are real tokens when each batch is padded to its
 * longest member (or to `padTo` when longer): sum of lengths / sum of (batch size × padded
 * length). 1 means no padding.
 */
export function paddingEfficiency(lengths, batches, padTo = 0) {
  let real = 0;
  let computed = 0;
  for (const batch of batches) {
    const longest = Math.max(padTo, ...batch.map((i) => lengths[i]));
    computed += longest * batch.length;
    for (const i of batch) real += lengths[i];
  }
  return computed === 0 ? 1 : real / computed;
}

/**
 * The feeds of one model call for the token ids `rows` (BigInt64Arrays), padded to the longest
 * row (or to `padTo` tokens when longer) with `padId` and an attention mask of 0 there. Only
 * inputs the session declares are fed (`token_type_ids` as zeros when asked for).
 */
export function buildFeeds(Tensor, inputNames, rows, padId, padTo = 0) {
  const width = Math.max(padTo, ...rows.map((r) => r.length));
  const ids = new BigInt64Array(rows.length * width).fill(BigInt(padId));
  const mask = new BigInt64Array(rows.length * width);
  rows.forEach((row, b) => {
    ids.set(row, b * width);
    mask.fill(1n, b * width, b * width + row.length);
  });
  const dims = [rows.length, width];
  const all = {
    input_ids: new Tensor("int64", ids, dims),
    attention_mask: new Tensor("int64", mask, dims),
    token_type_ids: new Tensor("int64", new BigInt64Array(rows.length * width), dims),
  };
  const feeds = {};
  for (const name of inputNames) {
    if (!(name in all)) throw new Error(`the model asks for input ${name}, which this benchmark does not know how to fill`);
    feeds[name] = all[name];
  }
  return { feeds, mask, width };
}

/**
 * Runs `session` once per batch of `batches` (lists of indices into `idsList`), timing each
 * `session.run` call. Batches are padded with `padId` to their longest row, or to `padTo`;
 * `onOutput(batch, output, mask, width)` sees each result.
 * @returns `{ entities, wallMs, runMs, batchMs }`: `wallMs` the whole loop including building
 *   the inputs (ms), `runMs` the sum of `session.run` times (ms), `batchMs` one entry per batch.
 */
export async function runBatches(session, Tensor, idsList, batches, { padId, padTo = 0, onOutput = undefined }) {
  const batchMs = [];
  let entities = 0;
  const startedAt = performance.now();
  for (const batch of batches) {
    const { feeds, mask, width } = buildFeeds(Tensor, session.inputNames, batch.map((i) => idsList[i]), padId, padTo);
    const runStartedAt = performance.now();
    const output = await session.run(feeds);
    batchMs.push(performance.now() - runStartedAt);
    entities += batch.length;
    if (onOutput) onOutput(batch, output, mask, width);
  }
  return { entities, wallMs: performance.now() - startedAt, runMs: batchMs.reduce((a, b) => a + b, 0), batchMs };
}

/** Mean of the rows' unmasked token vectors, L2-normalised: one Float32Array per row. */
export function meanPool(hidden, mask, batch, tokens, width) {
  const vectors = [];
  for (let b = 0; b < batch; b++) {
    const sum = new Float32Array(width);
    for (let t = 0; t < tokens; t++) {
      if (mask[b * tokens + t] === 0n) continue;
      const offset = (b * tokens + t) * width;
      for (let d = 0; d < width; d++) sum[d] += hidden[offset + d];
    }
    let norm = 0;
    for (let d = 0; d < width; d++) norm += sum[d] * sum[d];
    norm = Math.sqrt(norm);
    for (let d = 0; d < width; d++) sum[d] /= norm;
    vectors.push(sum);
  }
  return vectors;
}

/** Cosine similarity of two vectors of equal length. */
export function cosine(a, b) {
  let dot = 0;
  let na = 0;
  let nb = 0;
  for (let i = 0; i < a.length; i++) {
    dot += a[i] * b[i];
    na += a[i] * a[i];
    nb += b[i] * b[i];
  }
  return dot / Math.sqrt(na * nb);
}
