/**
 * watch/ keeps an index following edits by scheduling incremental runs of the pipeline.
 * It must not index by itself (only `indexRepo` writes), print, or exit.
 */
export * from "./refresh-scheduler.js";
export * from "./warm-embedder.js";
export * from "./watch-repo.js";
export * from "./watched-paths.js";
