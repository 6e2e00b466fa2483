import { existsSync } from "node:fs";
import path from "node:path";
import { defaultModelCacheDir, offlineFromEnv, sharedCacheSettings, type SharedCacheSettings } from "../embed/index.js";
import { ExitCode, InterruptedError, UsageError, describeError, type ExitCodeValue } from "../model/errors.js";
import type { IndexEventSink } from "../model/events.js";
import { indexRepo } from "../pipeline/index.js";
import { createJsonLinesReporter, createPlainReporter } from "../report/index.js";
import { MANIFEST_FILE, defaultIndexDir, isRemoteLocation, resolveIndexLocation } from "../store/index.js";
import { type EmbedderCliOptions, embedderRunOptions } from "./embedder-options.js";
import { type OutputPipes, watchOutputPipes } from "./output-pipes.js";
import { resolveRepoTarget } from "./repo-target.js";
import { resumeCommandLine } from "./resume-command.js";
import { writeHuman } from "./terminal.js";

/** Parsed options of `codesearch index`. */
export interface IndexCommandOptions extends EmbedderCliOptions {
  model?: string;
  db?: string;
  cacheDir?: string;
  /** `--shared-cache <dir|off>`: where the per-user shared embedding cache is, or `off`. */
  sharedCache?: string;
  rebuild?: boolean;
  offline?: boolean;
  batchSize?: number;
  maxTokens?: number;
  maxFileBytes?: number;
  exclude?: string[];
  retryFailed?: boolean;
  /** Rebuild the table from the embedding cache even when no damage is seen (set by `verify --repair`). */
  repair?: boolean;
  dryRun?: boolean;
  maxItems?: number;
  wait?: boolean;
  json?: boolean;
  plain?: boolean;
  verbose?: boolean;
}

/** The options `index` and `watch` share, as `indexRepo` takes them. */
export type SharedIndexOptions = Pick<IndexCommandOptions, "model" | "db" | "cacheDir" | "sharedCache" | "offline" | "batchSize" | "maxTokens" | "maxFileBytes" | "exclude">;

/**
 * `indexRepo`'s options from the flags `index` and `watch` share: the index folder (`--db`, else
 * `<repo>/.codesearch`), cache folder, the per-user shared cache (`--shared-cache`, else the
 * environment: see `sharedCacheSettings`), model, offline mode (flag or environment),
 * `HF_ENDPOINT`, and the batching, size and exclude limits.
 * @throws UsageError when `$CODESEARCH_CACHE_MAX_MB` is not a positive number.
 */
export function indexRunOptions(repoRoot: string, cwd: string, options: SharedIndexOptions) {
  return {
    repoRoot,
    indexDir: options.db ? resolveIndexLocation(options.db, cwd) : defaultIndexDir(repoRoot),
    ...(options.cacheDir !== undefined ? { cacheDir: path.resolve(cwd, options.cacheDir) } : {}),
    cwd,
    modelCacheDir: defaultModelCacheDir(),
    sharedCache: sharedCacheFromEnvironment(cwd, options.sharedCache),
    offline: Boolean(options.offline) || offlineFromEnv(),
    ...(process.env.HF_ENDPOINT ? { endpoint: process.env.HF_ENDPOINT } : {}),
    ...(options.model !== undefined ? { model: options.model } : {}),
    ...(options.batchSize !== undefined ? { batchSize: options.batchSize } : {}),
    ...(options.maxTokens !== undefined ? { maxTokens: options.maxTokens } : {}),
    ...(options.maxFileBytes !== undefined ? { maxFileBytes: options.maxFileBytes } : {}),
    ...(options.exclude?.length ? { exclude: options.exclude } : {}),
  };
}

/** {@link sharedCacheSettings} for this process, with a bad setting as a usage error. */
function sharedCacheFromEnvironment(cwd: string, option: string | undefined): SharedCacheSettings | null {
  try {
    return sharedCacheSettings(process.env, cwd, option);
  } catch (error) {
    throw new UsageError(describeError(error), { cause: error });
  }
}

/**
 * Whether a local index folder holds a committed index (its manifest); a remote index (a URI) is
 * taken to hold one, since telling would need a connection.
 */
export function hasCommittedIndex(indexDir: string): boolean {
  return isRemoteLocation(indexDir) || existsSync(path.join(indexDir, MANIFEST_FILE));
}

/** How progress is shown. */
type ReporterKind = "json" | "ink" | "plain";

/**
 * `--json` → JSON lines on stdout; an interactive terminal (stderr a TTY, not `CI`, not `--plain`)
 * → the Ink view (imported only then); otherwise plain lines on stderr.
 */
export function chooseReporter(options: { json?: boolean; plain?: boolean }, env: NodeJS.ProcessEnv = process.env): ReporterKind {
  if (options.json) return "json";
  if (options.plain || env.CI || !process.stderr.isTTY || !process.stdout.isTTY) return "plain";
  return "ink";
}

/**
 * Runs `codesearch index [repo]` (which repository: see `resolveRepoTarget`) and returns the exit code: 0 when everything was indexed (or a dry
 * run / `--max-items` run finished), 1 when some files or entities failed but the rest was saved,
 * 130 / 143 when SIGINT / SIGTERM stopped it after saving, 141 when the output stream lost its
 * reader (`| head`) and it stopped after saving. A signal that comes after the last batch was
 * embedded still gives 130 / 143 / 141: fusion calibration is cut short, every row is committed.
 *
 * The first SIGINT or SIGTERM asks the pipeline to stop after the batch in flight and save; a
 * second one exits at once with the same code (the cache keeps what was checkpointed). `args`
 * (the command-line arguments after the program) make the printed resume command.
 * @throws CodesearchError for fatal problems (the caller maps them to exit codes).
 */
export async function runIndexCommand(
  repo: string | undefined,
  options: IndexCommandOptions,
  args: readonly string[] = ["index", ...(repo !== undefined ? [repo] : [])],
  pipes: OutputPipes = watchOutputPipes(),
): Promise<ExitCodeValue> {
  const cwd = process.cwd();
  const resumeCommand = resumeCommandLine(args);
  const target = resolveRepoTarget(repo, cwd, { ...options, commandName: "index" });
  const repoRoot = target.repoRoot;
  if (target.note !== undefined && !options.json) writeHuman(process.stderr, `codesearch: ${target.note}`);
  const embedderOptions = embedderRunOptions(options);
  const kind = chooseReporter(options);
  let sink: IndexEventSink;
  let finish = async (): Promise<void> => {};
  if (kind === "json") {
    sink = createJsonLinesReporter(process.stdout);
  } else if (kind === "ink") {
    const { startIndexUi } = await import("../ui/render-index-ui.js");
    const ui = startIndexUi({ stdout: process.stderr, resumeCommand });
    sink = ui.sink;
    finish = ui.finish;
  } else {
    sink = createPlainReporter(process.stderr, { verbose: options.verbose ?? false, resumeCommand });
  }
  // Once the stream progress goes to loses its reader, report nothing more and stop cleanly.
  const reportStream = kind === "json" ? "stdout" : "stderr";
  const report = sink;
  sink = (event) => {
    if (!pipes.closed(reportStream)) report(event);
  };
  const controller = new AbortController();
  let signalExitCode: ExitCodeValue | null = null;
  const onSignal = (signal: NodeJS.Signals): void => {
    if (signalExitCode !== null && signalExitCode !== ExitCode.BrokenPipe) {
      process.stderr.write(`codesearch: stopped at once; what was saved is kept — run \`${resumeCommand}\` to resume\n`);
      process.exit(signalExitCode);
    }
    signalExitCode = signal === "SIGTERM" ? ExitCode.Terminated : ExitCode.Interrupted;
    controller.abort();
  };
  process.on("SIGINT", onSignal);
  process.on("SIGTERM", onSignal);
  const stopWatchingPipes = pipes.onClose(() => {
    signalExitCode ??= ExitCode.BrokenPipe;
    controller.abort();
  });
  try {
    const summary = await indexRepo({
      ...indexRunOptions(repoRoot, cwd, options),
      ...embedderOptions,
      ...(options.rebuild ? { rebuild: true } : {}),
      ...(options.retryFailed ? { retryFailed: true } : {}),
      ...(options.repair ? { repair: true } : {}),
      ...(options.dryRun ? { dryRun: true } : {}),
      ...(options.maxItems !== undefined ? { maxItems: options.maxItems } : {}),
      ...(options.wait ? { waitForLock: true } : {}),
      sink,
      signal: controller.signal,
    });
    // A signal after the last batch still cuts fusion calibration short (the rows are committed).
    if (summary.stopReason === "interrupted" || signalExitCode !== null) return signalExitCode ?? ExitCode.Interrupted;
    return summary.failures.length > 0 ? ExitCode.CompletedWithFailures : ExitCode.Success;
  } catch (error) {
    // Stopped before it changed anything: say how to start again, and exit as the signal asks.
    if (error instanceof InterruptedError) {
      throw new InterruptedError(`${error.message} — run \`${resumeCommand}\` to start again`, { cause: error, exitCode: signalExitCode ?? error.exitCode });
    }
    throw error;
  } finally {
    stopWatchingPipes();
    process.off("SIGINT", onSignal);
    process.off("SIGTERM", onSignal);
    await finish();
  }
}
