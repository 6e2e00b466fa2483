import { stat } from "node:fs/promises";
import path from "node:path";
import { ExitCode, ModelLoadError, UsageError, describeError, type ExitCodeValue } from "../model/errors.js";
import { indexRepo, readIndexStatus } from "../pipeline/index.js";
import { createIndexService, freshnessOfWatch, serveMcpOverStdio, type IndexService } from "../serve/index.js";
import { findIndexUpwards } from "../store/index.js";
import { modelLoadHelp } from "./fatal-error.js";
import { hasCommittedIndex, indexRunOptions, type SharedIndexOptions } from "./index-command.js";
import { openCliSearchSession } from "./search-command.js";
import { createPlainWatchReporter } from "../report/index.js";
import { writeHuman } from "./terminal.js";
import type { RepoWatcher } from "../watch/index.js";

/** Parsed options of `codesearch mcp`. Add new flags here and in main.ts. */
export interface McpCommandOptions extends Omit<SharedIndexOptions, "exclude"> {
  db?: string;
  offline?: boolean;
  /** Default size budget of each tool answer, in estimated tokens. */
  maxAnswerTokens?: number;
  /** Patterns left out (and, with `watch`, not watched) by the server's runs, as `codesearch index --exclude`. */
  exclude?: string[];
  /** Keep the index following edits (src/watch/), reporting freshness with every answer. */
  watch?: boolean;
}

/** Version reported to MCP clients (the package's). */
const SERVER_VERSION = "0.1.0";

/**
 * Runs `codesearch mcp [repo]`: an MCP server on stdio over the repository's index until the client
 * closes stdin or a signal arrives. A missing index is not fatal: tools answer with an error until
 * an index exists (the `reindex` tool builds one). Exit code 0.
 */
export async function runMcpCommand(repo: string | undefined, options: McpCommandOptions): Promise<ExitCodeValue> {
  const cwd = process.cwd();
  const log = (line: string) => writeHuman(process.stderr, line);
  // stdout carries the protocol: anything a library prints with console.log goes to stderr instead.
  console.log = console.info = console.debug = (...args: unknown[]) => console.error(...args);

  const repoRoot = repo !== undefined ? path.resolve(cwd, repo) : (findIndexUpwards(cwd)?.repoRoot ?? cwd);
  await assertRepository(repoRoot);
  const runOptions = indexRunOptions(repoRoot, cwd, options);
  const { indexDir, offline } = runOptions;
  let watcher: RepoWatcher | null = null;
  let watchStartError: string | undefined;
  const service: IndexService = createIndexService({
    // Without --db, name the repository (not its index folder): hit files then resolve against the
    // folder the index lives in, so a repository moved with its index still reads as current.
    openSession: () => openCliSearchSession(cwd, { ...(options.db !== undefined ? { db: indexDir } : { repo: repoRoot }), offline, residentEntities: true }),
    readStatus: () => readIndexStatus({ cwd, repoRoot, indexDir }),
    // With a watcher, a reindex call waits for the watcher's run to release the writer lock.
    runIndex: ({ sink, signal }) => indexRepo({ ...runOptions, ...(options.watch ? { waitForLock: true } : {}), sink, signal }).catch(withCliHelp),
    ...(options.watch ? { freshness: () => freshnessOfWatch(watcher?.state() ?? null, watchStartError) } : {}),
  });
  /** Reads the session's resident table in the background (see `SearchSession.preload`); failures are left to the next search. */
  const preload = (): void => {
    service
      .session()
      .then((session) => session.preload())
      .catch(() => undefined);
  };
  if (options.watch) {
    // Searches never wait for the watcher's runs: the session is reloaded after each one commits.
    const report = createPlainWatchReporter({ write: (text: string) => log(`codesearch mcp: ${text.replace(/\n$/, "")}`), indexExists: () => hasCommittedIndex(indexDir) });
    const { watchRepo } = await import("../watch/index.js");
    watcher = await watchRepo({
      ...runOptions,
      sink: (event) => {
        report(event);
        if (event.type === "refresh-finished") void service.indexChanged().then(preload, (error: unknown) => log(`codesearch mcp: cannot reload the index: ${describeError(error)}`));
      },
    }).catch((error: unknown) => {
      // The server still answers from the last committed index, and says it is not following edits.
      watchStartError = describeError(error);
      log(`codesearch mcp: watch error: ${watchStartError}`);
      return null;
    });
  }

  // The table is read into memory in the background, so the first search does not wait for it
  // (with no index yet this fails quietly: the first search says so).
  preload();

  const controller = new AbortController();
  const onSignal = () => controller.abort();
  process.on("SIGINT", onSignal);
  process.on("SIGTERM", onSignal);
  try {
    log(`codesearch mcp: repository ${repoRoot}, index ${indexDir}`);
    await serveMcpOverStdio(service, { version: SERVER_VERSION, log, signal: controller.signal, ...(options.maxAnswerTokens !== undefined ? { answerTokens: options.maxAnswerTokens } : {}) });
    return ExitCode.Success;
  } finally {
    await watcher?.close();
    process.off("SIGINT", onSignal);
    process.off("SIGTERM", onSignal);
  }
}

/** The repository folder `codesearch mcp` serves must exist: a typo would otherwise serve an empty, unfixable server. */
async function assertRepository(repoRoot: string): Promise<void> {
  const stats = await stat(repoRoot).catch(() => null);
  if (!stats?.isDirectory()) throw new UsageError(`cannot serve ${repoRoot}: ${stats ? "not a directory" : "no such directory"}`);
}

/**
 * A failed reindex run's error with what the CLI would print under it (a model that did not load:
 * the missing files and the ways to get a model, see `modelLoadHelp`) added to its message, so an
 * agent reads the same advice a user of `codesearch index` does. Always rejects.
 */
function withCliHelp(error: unknown): never {
  if (error instanceof ModelLoadError) {
    const help = modelLoadHelp(error);
    if (help.length > 0) {
      throw new ModelLoadError([error.message, ...help, "(codesearch mcp takes --model like codesearch index)"].join("\n"), {
        cause: error,
        missingFiles: error.missingFiles,
        ...(error.modelDir !== undefined ? { modelDir: error.modelDir } : {}),
        ...(error.hubId !== undefined ? { hubId: error.hubId } : {}),
      });
    }
  }
  throw error;
}
