import { readSource } from "../discover/index.js";
import { DEFAULT_MAX_CHUNK_CHARS, describeCut, extractEntities, extractReferences, prepareChunks } from "../extract/index.js";
import { describeError } from "../model/errors.js";
import type { RunEventEmitter } from "../model/events.js";
import type { Chunk, IndexFailure, SkippedFile, SourceFile } from "../model/types.js";
import { encodeReferences, type FileCatalog, type StoredReferences } from "../store/index.js";
import { lacksReferences } from "./plan-index.js";

/** A file read in this run whose rows are to be replaced by `chunks`. */
export interface FileOutcome {
  file: SourceFile;
  /** Hex SHA-256 of the file's bytes; empty when the file could not be read. */
  contentHash: string;
  /** Entities to store for the file, in source order (empty when it could not be read). */
  chunks: Chunk[];
  /** Read and parse problems of the file. */
  failures: IndexFailure[];
  /** The file's reference sites, imports and assignments (empty when it could not be parsed); absent when it could not be read. */
  references?: StoredReferences;
}

/** What {@link readPlannedFiles} found. */
export interface ReadPlannedFilesResult {
  /** Files whose rows are replaced. */
  outcomes: FileOutcome[];
  /** Files whose stat changed but whose bytes did not: rows kept, catalog stat refreshed. */
  sameContent: SourceFile[];
  /** Files found binary when read: their rows (if any) are removed. */
  skipped: SkippedFile[];
  /** Entities extracted, over all outcomes. */
  entityCount: number;
  /**
   * Entities whose stored source was cut to the per-entity limit (`maxSourceChars`): a note, not a
   * failure — the entity and its line span are indexed, and a class's methods are entities of their own.
   */
  sourcesCut: number;
}

/**
 * Reads, hashes and parses the files the plan lists (added, then changed), emitting
 * `file-extracted`, `file-failed` and `file-skipped` events. Syntax errors, and definitions the
 * per-file limits (`DEFAULT_EXTRACT_LIMITS`) left out, are `parse` failures of a file still indexed;
 * an entity's source cut to `maxSourceChars` is only counted (`sourcesCut`). A changed file whose bytes hash to the
 * catalog's `contentHash` is not parsed (unless `retryFailed` and it recorded failures).
 */
export async function readPlannedFiles(
  files: readonly SourceFile[],
  catalog: FileCatalog,
  options: { retryFailed: boolean; emit: RunEventEmitter },
): Promise<ReadPlannedFilesResult> {
  const result: ReadPlannedFilesResult = { outcomes: [], sameContent: [], skipped: [], entityCount: 0, sourcesCut: 0 };
  const { emit } = options;
  for (const file of files) {
    const read = await readSource(file);
    if (read.kind === "skipped") {
      result.skipped.push(read.skipped);
      emit({ type: "file-skipped", skipped: read.skipped });
      continue;
    }
    if (read.kind === "failed") {
      result.outcomes.push({ file, contentHash: "", chunks: [], failures: [read.failure] });
      emit({ type: "file-failed", failure: read.failure });
      continue;
    }
    const known = catalog.get(file.path);
    // An entry without references was written before they were recorded: the file is parsed again.
    if (known && known.contentHash === read.contentHash && !lacksReferences(file.path, known) && !(options.retryFailed && known.failures.length > 0)) {
      result.sameContent.push(file);
      continue;
    }
    const outcome: FileOutcome = { file, contentHash: read.contentHash, chunks: [], failures: [] };
    result.outcomes.push(outcome);
    let extracted;
    try {
      extracted = await extractEntities(file.path, read.text);
      outcome.references = encodeReferences(await extractReferences(file.path, read.text));
    } catch (error) {
      outcome.references = { sites: [], imports: [], assignments: [] };
      const failure: IndexFailure = { path: file.path, stage: "parse", message: `parser failed: ${describeError(error)}`, cause: error };
      outcome.failures.push(failure);
      emit({ type: "file-failed", failure });
      continue;
    }
    outcome.chunks = prepareChunks(extracted.entities, { maxChars: DEFAULT_MAX_CHUNK_CHARS });
    result.entityCount += outcome.chunks.length;
    const firstError = extracted.syntaxErrors[0];
    if (firstError) {
      // Every line to fix is named, not counted.
      const others = extracted.syntaxErrors.slice(1).map((e) => e.line);
      const more = others.length > 0 ? `; also at line${others.length > 1 ? "s" : ""} ${others.join(", ")}` : "";
      const failure: IndexFailure = {
        path: file.path,
        stage: "parse",
        line: firstError.line,
        message: `${firstError.message}${more}; kept ${outcome.chunks.length} recovered ${outcome.chunks.length === 1 ? "entity" : "entities"}`,
      };
      outcome.failures.push(failure);
      emit({ type: "file-failed", failure });
    }
    result.sourcesCut += extracted.cut.sourcesCut;
    const cut = describeCut({ ...extracted.cut, sourcesCut: 0 });
    if (cut !== null) {
      // The file is indexed all the same; what the per-file limits left out is named, not hidden.
      const failure: IndexFailure = { path: file.path, stage: "parse", message: `${cut}; kept ${outcome.chunks.length} entities` };
      outcome.failures.push(failure);
      emit({ type: "file-failed", failure });
    }
    emit({ type: "file-extracted", path: file.path, entityCount: outcome.chunks.length });
  }
  return result;
}
