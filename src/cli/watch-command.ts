import { ExitCode, type ExitCodeValue } from "../model/errors.js";
import type { IndexEventSink } from "../model/events.js";
import type { WatchEvent } from "../model/watch-events.js";
import { createJsonWatchReporter, createPlainReporter, createPlainWatchReporter } from "../report/index.js";
import { watchRepo } from "../watch/index.js";
import { embedderRunOptions } from "./embedder-options.js";
import { hasCommittedIndex, indexRunOptions, type SharedIndexOptions } from "./index-command.js";
import { resolveRepoTarget } from "./repo-target.js";
import { writeHuman } from "./terminal.js";

/** Parsed options of `codesearch watch`. */
export interface WatchCommandOptions extends SharedIndexOptions {
  debounce?: number;
  json?: boolean;
  /** Plain lines: what watch prints without `--json` anyway; accepted so `--plain` means the same as for `index`. */
  plain?: boolean;
  verbose?: boolean;
}

/** `--verbose`: each run's progress lines, from a fresh plain reporter per run (its counts start at zero). */
function verboseRunReporter(): IndexEventSink {
  let reporter: IndexEventSink | null = null;
  return (event) => {
    if (event.type === "run-started") reporter = createPlainReporter(process.stderr, { verbose: true });
    reporter?.(event);
  };
}

/**
 * Runs `codesearch watch [repo]` (which repository: see `resolveRepoTarget`) until Ctrl-C / SIGTERM (exit 0: the refresh in flight saves what
 * it finished and the writer lock is released; a second signal exits at once with 130 / 143) or
 * until the file watcher fails (exit 9, `WatcherError`'s code, after the message); without an
 * index yet, until the first refresh fails (its error is thrown, as `codesearch index` would). Each refresh's
 * outcome is one plain line on stderr, or with `--json` every watch event as a JSON line on stdout;
 * `--verbose` adds each run's progress lines.
 * @throws CodesearchError when the watcher cannot start (the caller maps it to an exit code).
 */
export async function runWatchCommand(repo: string | undefined, options: WatchCommandOptions): Promise<ExitCodeValue> {
  const cwd = process.cwd();
  const target = resolveRepoTarget(repo, cwd, { ...options, commandName: "watch" });
  const repoRoot = target.repoRoot;
  if (target.note !== undefined && !options.json) writeHuman(process.stderr, `codesearch: ${target.note}`);
  const runOptions = indexRunOptions(repoRoot, cwd, options);
  // Without an index, a first refresh that fails leaves nothing to search: stop and say why, as `index` would.
  let committed = hasCommittedIndex(runOptions.indexDir);
  const report = options.json
    ? createJsonWatchReporter(process.stdout)
    : createPlainWatchReporter({ write: (text: string) => writeHuman(process.stderr, text.replace(/\n$/, "")), indexExists: () => committed });
  let watcherFailed: (() => void) | null = null;
  const failed = new Promise<void>((resolve) => (watcherFailed = resolve));
  let firstRunError: { cause: unknown } | null = null;
  const sink = (event: WatchEvent): void => {
    if (event.type === "refresh-finished") committed = true;
    if (event.type === "refresh-failed" && !committed) {
      firstRunError = { cause: event.cause };
      if (options.json) report(event);
      watcherFailed?.();
      return;
    }
    report(event);
    if (event.type === "watcher-failed") watcherFailed?.();
  };
  const watcher = await watchRepo({
    ...runOptions,
    ...embedderRunOptions({}),
    ...(options.debounce !== undefined ? { debounceMs: options.debounce } : {}),
    ...(options.verbose && !options.json ? { indexSink: verboseRunReporter() } : {}),
    sink,
  });

  let signalled: NodeJS.Signals | null = null;
  let stopRequested: (() => void) | null = null;
  const stopped = new Promise<void>((resolve) => (stopRequested = resolve));
  const onSignal = (signal: NodeJS.Signals): void => {
    if (signalled !== null) process.exit(signalled === "SIGTERM" ? ExitCode.Terminated : ExitCode.Interrupted);
    signalled = signal;
    stopRequested?.();
  };
  process.on("SIGINT", onSignal);
  process.on("SIGTERM", onSignal);
  try {
    await Promise.race([stopped, failed]);
    if (firstRunError !== null) throw (firstRunError as { cause: unknown }).cause;
    return signalled !== null ? ExitCode.Success : ExitCode.Watcher;
  } finally {
    await watcher.close();
    process.off("SIGINT", onSignal);
    process.off("SIGTERM", onSignal);
  }
}
