import { existsSync, statSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { ModelLoadError } from "../model/errors.js";

/** The model indexed when `--model` is not given: CodeBERT (microsoft/codebert-base) exported to ONNX. */
export const DEFAULT_MODEL_ID = "onnx-community/codebert-base-ONNX";

/** Where models are downloaded from unless `HF_ENDPOINT` says otherwise (the Hugging Face hub). */
export const DEFAULT_HUB_ENDPOINT = "https://huggingface.co";

/**
 * A model to load: a hub repository id, or a directory on disk in the hub's layout. A directory
 * shipped with codesearch (`models/<name>`) carries its `alias`, the name it is selected and
 * recorded by, so an index keeps working when the installation moves.
 */
export type ModelSource = { kind: "hub"; id: string } | { kind: "local"; dir: string; alias?: string };

/** Models shipped inside the codesearch package, under `models/<name>/` (see models/codesearch-small/README.md). */
export const BUNDLED_MODELS: readonly string[] = ["codesearch-small"];

/** The folder of the installed package's bundled model `name` (`<package root>/models/<name>`). */
export function bundledModelDir(name: string): string {
  // This file runs as dist/embed/model-source.js (or src/embed/ under the test runner): two levels below the root.
  return fileURLToPath(new URL(`../../models/${name}`, import.meta.url));
}

/**
 * Decides whether `spec` names a bundled model ({@link BUNDLED_MODELS}, resolved to the installed
 * package's folder and kept as its alias), a local directory (it exists, or it starts with `.`,
 * `/` or `~`) or a hub repository id (`owner/name`). Local paths are made absolute against `cwd`,
 * so the id recorded in an index does not depend on where the command ran.
 */
export function resolveModelSource(spec: string, cwd: string): ModelSource {
  if (BUNDLED_MODELS.includes(spec)) return { kind: "local", dir: bundledModelDir(spec), alias: spec };
  const expanded = spec.startsWith("~/") ? path.join(os.homedir(), spec.slice(2)) : spec;
  const candidate = path.resolve(cwd, expanded);
  const looksLikePath = /^(\.{1,2}[\\/]|[\\/]|~)/.test(spec) || path.isAbsolute(spec);
  if (looksLikePath || (existsSync(candidate) && statSync(candidate).isDirectory())) {
    return { kind: "local", dir: candidate };
  }
  return { kind: "hub", id: spec };
}

/** The id recorded for a source: the hub id, a bundled model's alias, or the absolute directory. */
export function modelIdOf(source: ModelSource): string {
  return source.kind === "hub" ? source.id : (source.alias ?? source.dir);
}

/**
 * Per-user directory where downloaded models are kept: `$CODESEARCH_MODEL_CACHE`, else
 * `$XDG_CACHE_HOME/codesearch/models`, else `~/.cache/codesearch/models`.
 */
export function defaultModelCacheDir(env: NodeJS.ProcessEnv = process.env): string {
  if (env.CODESEARCH_MODEL_CACHE) return path.resolve(env.CODESEARCH_MODEL_CACHE);
  const base = env.XDG_CACHE_HOME ? path.resolve(env.XDG_CACHE_HOME) : path.join(os.homedir(), ".cache");
  return path.join(base, "codesearch", "models");
}

/**
 * Files a feature-extraction model needs, relative to the model root, in the layout of the
 * Hugging Face hub's ONNX exports (`onnx/model_quantized.onnx` is the dynamic int8 export).
 */
export function requiredModelFiles(quantized: boolean): string[] {
  return ["config.json", "tokenizer.json", "tokenizer_config.json", quantized ? "onnx/model_quantized.onnx" : "onnx/model.onnx"];
}

/** The subset of {@link requiredModelFiles} absent under `dir`. */
export function missingModelFiles(dir: string, quantized: boolean): string[] {
  return requiredModelFiles(quantized).filter((file) => !existsSync(path.join(dir, file)));
}

/** `1 required file` / `<n> required files`: how a model-load error counts what is missing. */
export function requiredFilesPhrase(count: number): string {
  return count === 1 ? "1 required file" : `${count} required files`;
}

/**
 * Checks that the local model folder `dir` holds every {@link requiredModelFiles} entry.
 * @throws ModelLoadError naming the folder and listing the missing files (`missingFiles`, `modelDir`).
 */
export function assertLocalModelFiles(dir: string, quantized: boolean): void {
  const missing = missingModelFiles(dir, quantized);
  if (missing.length > 0) throw new ModelLoadError(`model directory ${dir} lacks ${requiredFilesPhrase(missing.length)}`, { missingFiles: missing, modelDir: dir });
}

/**
 * Checks that hub model `id` is downloaded into `cacheDir` (transformers.js's layout,
 * `cacheDir/<id>/`), as an offline load needs.
 * @throws ModelLoadError naming the model and counting the missing files (`missingFiles`, `modelDir`, `hubId`).
 */
export function assertHubModelDownloaded(id: string, cacheDir: string, quantized: boolean): void {
  const cachedDir = path.join(cacheDir, id);
  const missing = missingModelFiles(cachedDir, quantized);
  if (missing.length > 0) {
    throw new ModelLoadError(`offline, and model ${id} is not downloaded (${requiredFilesPhrase(missing.length)} missing)`, {
      missingFiles: missing,
      modelDir: cachedDir,
      hubId: id,
    });
  }
}

/**
 * Checks from files alone, loading nothing, that the model `source` names can be loaded: a local
 * folder holds the required files of its int8 export; offline, a hub model is downloaded into
 * `cacheDir`. An online hub model is checked when it is loaded (the download may still work).
 * Costs a few `stat` calls, so a run can fail on a missing model before it reads any source file.
 * @throws ModelLoadError, as the loaders throw it for the same problem.
 */
export function assertModelAvailable(source: ModelSource, options: { cacheDir: string; offline: boolean }): void {
  if (source.kind === "local") assertLocalModelFiles(source.dir, true);
  else if (options.offline) assertHubModelDownloaded(source.id, options.cacheDir, true);
}

/** Whether the environment asks for no downloads: `CODESEARCH_OFFLINE` or `HF_HUB_OFFLINE` set to 1/true/yes. */
export function offlineFromEnv(env: NodeJS.ProcessEnv = process.env): boolean {
  return [env.CODESEARCH_OFFLINE, env.HF_HUB_OFFLINE].some((v) => v !== undefined && /^(1|true|yes|on)$/i.test(v));
}
