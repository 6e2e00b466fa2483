/**
 * Fatal errors: each class carries the process exit code the CLI uses for it and the underlying
 * `cause`. Only cli/ catches these and exits. Per-file and per-entity problems are not errors but
 * `IndexFailure` values (see types.ts). Decide by `instanceof` or `code`, never by message text.
 */

/** Process exit codes of the `codesearch` command; documented in the README. */
export const ExitCode = {
  /** Everything found was indexed / the search ran. */
  Success: 0,
  /** The run finished and saved its work, but some files or entities failed (see the summary). */
  CompletedWithFailures: 1,
  /** Bad command-line usage or arguments. */
  Usage: 2,
  /** The run found nothing to index, or every entity failed: nothing usable was stored. */
  NothingIndexed: 3,
  /** The model could not be loaded or downloaded, or is missing offline. */
  ModelLoad: 4,
  /** No index was found, or it was built with another model, dimension or schema. */
  IndexUnusable: 5,
  /** LanceDB or the index folder could not be read or written. */
  Store: 6,
  /** Another `index` run holds the index's writer lock (and `--wait` was not given). */
  Locked: 7,
  /** A remote embedding service was unreachable, refused the request (API key, model, URL) or kept failing. */
  EmbeddingService: 8,
  /** The file watcher of `codesearch watch` failed (inotify watch limit, too many open files, no native binary). */
  Watcher: 9,
  /** The run was stopped by SIGINT (Ctrl-C) after saving its work; run again to resume (128 + SIGINT). */
  Interrupted: 130,
  /** The run was stopped by SIGTERM after saving its work; run again to resume (128 + SIGTERM). */
  Terminated: 143,
  /**
   * stdout or stderr lost its reader (`| head`): output stopped, an index run saved what it had
   * finished and stopped (128 + SIGPIPE, as a shell reports a tool that SIGPIPE ended).
   */
  BrokenPipe: 141,
  /** A bug: an error the program did not expect. */
  Internal: 70,
} as const;

export type ExitCodeValue = (typeof ExitCode)[keyof typeof ExitCode];

/** Base of all fatal errors. `code` is a stable machine-readable name for JSON output. */
export abstract class CodesearchError extends Error {
  abstract readonly exitCode: ExitCodeValue;
  abstract readonly code: string;
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = new.target.name;
  }
}

/** Bad flags, a missing path, an unreadable queries file. Exit code 2. */
export class UsageError extends CodesearchError {
  readonly exitCode = ExitCode.Usage;
  readonly code = "usage";
}

/** The run stored nothing usable: no source files, no entities, or every entity failed. Exit code 3. */
export class NothingIndexedError extends CodesearchError {
  readonly exitCode = ExitCode.NothingIndexed;
  readonly code = "nothing-indexed";
}

/**
 * The model could not be loaded: download failed, files missing offline (`missingFiles` lists them,
 * relative to the model), broken ONNX, or the model's output has the wrong shape. Exit code 4.
 */
export class ModelLoadError extends CodesearchError {
  readonly exitCode = ExitCode.ModelLoad;
  readonly code = "model-load";
  readonly missingFiles: string[];
  /** The folder that should hold the model's files: a local model's directory, or a hub model's download-cache folder. */
  readonly modelDir: string | undefined;
  /** The hub repository id, for a hub model (then the hub, a mirror or the cache could supply it). */
  readonly hubId: string | undefined;
  constructor(message: string, options?: { cause?: unknown; missingFiles?: string[]; modelDir?: string; hubId?: string }) {
    super(message, options);
    this.missingFiles = options?.missingFiles ?? [];
    this.modelDir = options?.modelDir;
    this.hubId = options?.hubId;
  }
}

/** No index exists where one was looked for. Exit code 5. */
export class IndexNotFoundError extends CodesearchError {
  readonly exitCode = ExitCode.IndexUnusable;
  readonly code = "index-not-found";
}

/**
 * The index was built with another model, vector dimension or schema version than the one asked
 * for. Exit code 5.
 */
export class IndexMismatchError extends CodesearchError {
  readonly exitCode = ExitCode.IndexUnusable;
  readonly code = "index-mismatch";
}

/** LanceDB or the index folder failed (disk full, permissions, corrupt table). Exit code 6. */
export class StoreError extends CodesearchError {
  readonly exitCode = ExitCode.Store;
  readonly code = "store";
}

/**
 * The index on disk is damaged: a committed table version, data or index file, or the catalog no
 * longer matches what the last completed `index` run wrote. Nothing is served from it; the
 * message says how to repair (`codesearch index`, which rebuilds from the embedding cache). Exit code 6.
 */
export class IndexDamagedError extends CodesearchError {
  readonly exitCode = ExitCode.Store;
  readonly code = "index-damaged";
}

/** Another `index` run is writing the same index. Exit code 7. */
export class IndexLockedError extends CodesearchError {
  readonly exitCode = ExitCode.Locked;
  readonly code = "index-locked";
}

/**
 * Ctrl-C (or SIGTERM, or a lost output reader) stopped a run before it changed anything, e.g. while
 * waiting for the lock. Exit code 130, or the one given (143 for SIGTERM, 141 for a lost reader).
 */
export class InterruptedError extends CodesearchError {
  readonly exitCode: ExitCodeValue;
  readonly code = "interrupted";
  constructor(message: string, options?: { cause?: unknown; exitCode?: ExitCodeValue }) {
    super(message, options);
    this.exitCode = options?.exitCode ?? ExitCode.Interrupted;
  }
}

/**
 * A remote embedding service cannot be used: unreachable, the API key or model refused (401, 403,
 * 404), or every request kept failing. `status` is the last HTTP status, when there was one.
 * Messages never contain the API key. Exit code 8.
 */
export class EmbeddingServiceError extends CodesearchError {
  readonly exitCode = ExitCode.EmbeddingService;
  readonly code = "embedding-service";
  readonly status: number | undefined;
  constructor(message: string, options?: { cause?: unknown; status?: number }) {
    super(message, options);
    this.status = options?.status;
  }
}

/**
 * The file watcher cannot follow the repository: the inotify watch limit (`ENOSPC`), too many open
 * files (`EMFILE`), or no native watcher binary for this platform. `errno` is the system code when
 * there was one. Exit code 9.
 */
export class WatcherError extends CodesearchError {
  readonly exitCode = ExitCode.Watcher;
  readonly code = "watcher";
  readonly errno: string | undefined;
  constructor(message: string, options?: { cause?: unknown; errno?: string }) {
    super(message, options);
    this.errno = options?.errno;
  }
}

/** Renders any thrown value as one line, following `cause` chains: `a: b: c`. */
export function describeError(error: unknown): string {
  const parts: string[] = [];
  let current: unknown = error;
  for (let depth = 0; current !== undefined && current !== null && depth < 5; depth++) {
    const message = current instanceof Error ? current.message : String(current);
    if (message && !parts.some((p) => p.includes(message))) parts.push(message);
    current = current instanceof Error ? current.cause : undefined;
  }
  return parts.join(": ").replace(/\s+/g, " ").trim() || "unknown error";
}
