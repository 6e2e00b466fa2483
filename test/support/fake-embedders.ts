// Test doubles for the Embedder seam: deterministic, failing, wrong-count and wrong-dimension
// embedders. They live under test/, never in src/.
import { createHash } from "node:crypto";
import type { Embedder } from "../../src/embed/embedder.js";

/** Deterministic unit vector derived from the text's SHA-256 (no meaning, stable across runs). */
export function hashVector(text: string, dimension: number): Float32Array {
  const vector = new Float32Array(dimension);
  let block = createHash("sha256").update(text).digest();
  for (let i = 0; i < dimension; i++) {
    if (i % 32 === 0 && i > 0) block = createHash("sha256").update(block).digest();
    vector[i] = block[i % 32]! - 127.5;
  }
  const norm = Math.hypot(...vector);
  return vector.map((v) => v / norm);
}

/** Options of {@link fakeEmbedder}. */
export interface FakeEmbedderOptions {
  dimension?: number;
  modelId?: string;
  /** Any batch containing a text for which this returns true throws. */
  poisoned?: (text: string) => boolean;
  /** Return this many vectors fewer than asked for, for batches larger than one. */
  dropFromBatches?: number;
  /** Return vectors of this length instead of `dimension`. */
  wrongDimension?: number;
  /** Busy-wait this many ms per call, blocking the thread as onnxruntime-node 1.14's synchronous inference does. */
  blockMs?: number;
}

/** An embedder that records every call (`calls` holds each batch's texts). */
export interface RecordingEmbedder extends Embedder {
  calls: string[][];
  disposed: boolean;
}

/** A hash-based {@link Embedder} with optional injected faults. */
export function fakeEmbedder(options: FakeEmbedderOptions = {}): RecordingEmbedder {
  const dimension = options.dimension ?? 16;
  const embedder: RecordingEmbedder = {
    modelId: options.modelId ?? "fake/hash-model",
    dimension,
    maxTokens: 512,
    calls: [],
    disposed: false,
    embed: async (texts) => {
      embedder.calls.push([...texts]);
      const blockUntil = Date.now() + (options.blockMs ?? 0);
      while (Date.now() < blockUntil) {
        // blocking on purpose: no event-loop turn happens inside a model call
      }
      if (options.poisoned && texts.some(options.poisoned)) throw new Error("poisoned input");
      const vectors = texts.map((t) => hashVector(t, options.wrongDimension ?? dimension));
      if (options.dropFromBatches && texts.length > 1) return vectors.slice(options.dropFromBatches);
      return vectors;
    },
    dispose: async () => {
      embedder.disposed = true;
    },
  };
  return embedder;
}
