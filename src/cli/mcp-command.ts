import path from "node:path";
import { defaultModelCacheDir, offlineFromEnv } from "../embed/index.js";
import { ExitCode, type ExitCodeValue } from "../model/errors.js";
import { indexRepo, readIndexStatus } from "../pipeline/index.js";
import { createIndexService, serveMcpOverStdio } from "../serve/index.js";
import { defaultIndexDir, findIndexUpwards, resolveIndexLocation } from "../store/index.js";
import { openCliSearchSession } from "./search-command.js";
import { writeHuman } from "./terminal.js";

/** Parsed options of `codesearch mcp`. Add new flags here and in main.ts (`--watch` joins them). */
export interface McpCommandOptions {
  db?: string;
  offline?: boolean;
  /** Default size budget of each tool answer, in estimated tokens. */
  maxAnswerTokens?: number;
  /** Patterns left out by `reindex` runs, as `codesearch index --exclude`. */
  exclude?: string[];
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
  const indexDir = options.db !== undefined ? resolveIndexLocation(options.db, cwd) : defaultIndexDir(repoRoot);
  const offline = options.offline || offlineFromEnv();
  const service = createIndexService({
    openSession: () => openCliSearchSession(cwd, { db: indexDir, offline }),
    readStatus: () => readIndexStatus({ cwd, repoRoot, indexDir }),
    runIndex: ({ sink, signal }) =>
      indexRepo({
        repoRoot,
        indexDir,
        cwd,
        modelCacheDir: defaultModelCacheDir(),
        offline,
        ...(process.env.HF_ENDPOINT ? { endpoint: process.env.HF_ENDPOINT } : {}),
        ...(options.exclude?.length ? { exclude: options.exclude } : {}),
        sink,
        signal,
      }),
    // Watch mode hooks in here: pass the watcher's `freshness` report, and let it call
    // `service.indexChanged()` after each run it completes; searches never wait for its runs.
  });

  const controller = new AbortController();
  const onSignal = () => controller.abort();
  process.on("SIGINT", onSignal);
  process.on("SIGTERM", onSignal);
  try {
    log(`codesearch mcp: repository ${repoRoot}, index ${indexDir}`);
    await serveMcpOverStdio(service, { version: SERVER_VERSION, log, signal: controller.signal, ...(options.maxAnswerTokens !== undefined ? { answerTokens: options.maxAnswerTokens } : {}) });
    return ExitCode.Success;
  } finally {
    process.off("SIGINT", onSignal);
    process.off("SIGTERM", onSignal);
  }
}
