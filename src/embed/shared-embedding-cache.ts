/**
 * Where the per-user shared embedding cache lives, how big it may grow, and what identifies a
 * model's vectors across clones: the pieces the pipeline's shared tier (pipeline/shared-cache.ts)
 * needs from embed/. The cache itself is an {@link EmbeddingCache} in that folder.
 */
import { createHash } from "node:crypto";
import { createReadStream, existsSync, statSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { requiredModelFiles } from "./model-source.js";
import type { EmbedderSource } from "./provider-spec.js";

/** Default size cap of the shared cache's vector file: 1 GiB (≈ 350,000 CodeBERT vectors of 3 KiB). */
export const DEFAULT_SHARED_CACHE_MAX_BYTES = 1024 ** 3;

/** After eviction the cache holds at most this share of its cap, so eviction runs rarely. */
export const SHARED_CACHE_EVICT_TO = 0.75;

/** Where and how big the shared cache is; null settings mean it is off. */
export interface SharedCacheSettings {
  /** Absolute folder of the shared cache. */
  dir: string;
  /** Cap on the vector file, in bytes; least recently used vectors are evicted above it. */
  maxBytes: number;
}

/**
 * The shared cache settings the environment asks for: `$CODESEARCH_CACHE_DIR` (absolute or
 * relative to `cwd`; `off`, `none`, `0` or `false` turn the shared cache off), else
 * `$XDG_CACHE_HOME/codesearch/embeddings`, else `~/.cache/codesearch/embeddings`; the cap is
 * `$CODESEARCH_CACHE_MAX_MB` MiB (a positive number), else {@link DEFAULT_SHARED_CACHE_MAX_BYTES}.
 * `dirOption` (the CLI's `--cache-dir`) takes precedence over the environment.
 * @throws RangeError when `$CODESEARCH_CACHE_MAX_MB` is not a positive number.
 */
export function sharedCacheSettings(env: NodeJS.ProcessEnv, cwd: string, dirOption?: string): SharedCacheSettings | null {
  const requested = dirOption ?? env.CODESEARCH_CACHE_DIR;
  if (requested !== undefined && /^(off|none|0|false)$/i.test(requested.trim())) return null;
  const base = env.XDG_CACHE_HOME ? path.resolve(env.XDG_CACHE_HOME) : path.join(os.homedir(), ".cache");
  const dir = requested !== undefined && requested.trim() !== "" ? path.resolve(cwd, requested) : path.join(base, "codesearch", "embeddings");
  let maxBytes = DEFAULT_SHARED_CACHE_MAX_BYTES;
  if (env.CODESEARCH_CACHE_MAX_MB !== undefined) {
    const mib = Number(env.CODESEARCH_CACHE_MAX_MB);
    if (!Number.isFinite(mib) || mib <= 0) throw new RangeError(`CODESEARCH_CACHE_MAX_MB must be a positive number of MiB, not ${JSON.stringify(env.CODESEARCH_CACHE_MAX_MB)}`);
    maxBytes = Math.round(mib * 1024 ** 2);
  }
  return { dir, maxBytes };
}

/**
 * The folder holding a model's files: a local model's directory, or a hub model's download under
 * `modelCacheDir` when it is there; null for a remote (HTTP) embedder or a hub model not downloaded.
 */
export function modelFilesDir(source: EmbedderSource, modelCacheDir: string): string | null {
  if (source.kind === "openai") return null;
  const dir = source.kind === "local" ? source.dir : path.join(modelCacheDir, source.id);
  return existsSync(dir) ? dir : null;
}

/**
 * What identifies a model's vectors wherever it is installed: `sha256:` + hex SHA-256 over the
 * names, sizes and contents of the files that determine them (config.json, tokenizer.json,
 * tokenizer_config.json, codesearch.json, onnx/model.onnx, onnx/model_quantized.onnx — those
 * present), so two clones share vectors and a model changed in place never does. Reads every byte
 * of those files (≈ 20 ms for codesearch-small's 7.5 MB; CodeBERT's 125 MB int8 export ≈ 0.3 s), so
 * callers compute it only when a cache miss needs it, and a long-lived process (`watch`, `mcp`)
 * computes it once per folder while the files' sizes and mtimes stay as they were. Null when none
 * of the files exists.
 * @throws Error when a present file cannot be read.
 */
export async function modelFingerprint(dir: string): Promise<string | null> {
  const names = [...new Set([...requiredModelFiles(true), ...requiredModelFiles(false), "codesearch.json"])].sort();
  const present = names.flatMap((name) => {
    const stats = statSync(path.join(dir, name), { throwIfNoEntry: false });
    return stats?.isFile() ? [{ name, size: stats.size, mtimeMs: stats.mtimeMs }] : [];
  });
  if (present.length === 0) return null;
  const signature = JSON.stringify(present);
  const known = fingerprints.get(dir);
  if (known?.signature === signature) return known.fingerprint;
  const hash = createHash("sha256");
  for (const { name, size } of present) {
    hash.update(`${name}\0${size}\0`);
    for await (const chunk of createReadStream(path.join(dir, name))) hash.update(chunk as Buffer);
  }
  const fingerprint = `sha256:${hash.digest("hex")}`;
  fingerprints.set(dir, { signature, fingerprint });
  return fingerprint;
}

/** Fingerprints computed in this process, by model folder, with the files' names, sizes and mtimes they were computed at. */
const fingerprints = new Map<string, { signature: string; fingerprint: string }>();
