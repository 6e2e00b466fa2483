/**
 * cli/ owns the command line: parsing (commander), choosing a reporter, printing results, and
 * mapping errors to exit codes. It is the only place that calls process.exit.
 */
import { Command, CommanderError, InvalidArgumentError, Option } from "commander";
import { DEFAULT_MODEL_ID } from "../embed/model-source.js";
import { ExitCode, type ExitCodeValue } from "../model/errors.js";
import { EMBEDDER_KINDS } from "./embedder-options.js";
import { toFatalReport } from "./fatal-error.js";
import type { EvalCommandOptions } from "./eval-command.js";
import type { IndexCommandOptions } from "./index-command.js";
import type { McpCommandOptions } from "./mcp-command.js";
import { DEFAULT_ANSWER_TOKENS, MIN_ANSWER_TOKENS } from "../serve/answer-budget.js";
import { type OutputPipes, watchOutputPipes } from "./output-pipes.js";
import { addRankingOptions } from "./ranking-options.js";
import type { SearchCommandOptions } from "./search-command.js";
import type { StructureCommand, StructureCommandOptions } from "./structure-command.js";
import { writeHuman } from "./terminal.js";
import type { WatchCommandOptions } from "./watch-command.js";
import { DEFAULT_DEBOUNCE_MS } from "../watch/refresh-scheduler.js";

const EXIT_CODES_HELP = `
Exit codes:
  0   success
  1   completed with failures: some files or entities failed, the rest was saved
  2   usage error
  3   nothing indexed (no definitions found, or all failed)
  4   model could not be loaded or downloaded (or is missing offline)
  5   no index found, or it was built with another model, dimension or schema
  6   the index folder or LanceDB could not be read or written
  7   another index run holds the index's lock (use --wait)
  8   the embedding service was unreachable, refused the key or model, or kept failing
  9   watch: the file watcher failed (inotify watch limit, too many open files)
  70  internal error (a bug)
  130 interrupted by Ctrl-C (143: SIGTERM) after saving; run again to resume
  141 the output's reader went away (| head): output stopped, index saved what it had finished

Environment:
  HF_ENDPOINT             model hub base URL (default https://huggingface.co)
  OPENAI_API_KEY          API key for --embedder openai (or the variable --api-key-env names)
  CODESEARCH_OFFLINE=1    never download (also HF_HUB_OFFLINE=1); same as --offline
  CODESEARCH_MODEL_CACHE  where downloaded models are kept (default ~/.cache/codesearch/models)
  NO_COLOR                disable colours`;

function wholeNumber(name: string) {
  return (value: string): number => {
    const n = Number(value);
    if (!Number.isInteger(n) || n < 0) throw new InvalidArgumentError(`${name} must be a whole number`);
    return n;
  };
}

function positiveInt(name: string) {
  return (value: string): number => {
    const n = Number(value);
    if (!Number.isInteger(n) || n < 1) throw new InvalidArgumentError(`${name} must be a positive integer`);
    return n;
  };
}

function atLeast(name: string, min: number) {
  return (value: string): number => {
    const n = Number(value);
    if (!Number.isInteger(n) || n < min) throw new InvalidArgumentError(`${name} must be a whole number of at least ${min}`);
    return n;
  };
}

function collect(value: string, previous: string[] = []): string[] {
  return [...previous, value];
}

/** Help of `--shared-cache` (index, watch, mcp). */
const SHARED_CACHE_HELP =
  "per-user embedding cache every index on this machine shares, so a second clone or worktree embeds nothing again; `off` disables it (default: $CODESEARCH_CACHE_DIR, else ~/.cache/codesearch/embeddings; capped at $CODESEARCH_CACHE_MAX_MB MiB, default 1024)";

/**
 * Adds the options `index` and `watch` share (they reach `indexRepo` through `indexRunOptions`):
 * `--model`, `--db`, `--cache-dir`, `--shared-cache`, `--offline`, `--batch-size`, `--max-tokens`,
 * `--max-file-bytes` and `--exclude`, in that order. `commandName` words the help where the
 * commands differ: only `index` takes `--embedder openai`, and `watch` also leaves excluded paths unwatched.
 * @returns `command`, for chaining.
 */
function addIndexRunOptions(command: Command, commandName: "index" | "watch"): Command {
  const servedModel = commandName === "index" ? ", or with --embedder openai the served model's name" : "";
  const excluded = commandName === "watch" ? "leave out (and do not watch) paths" : "leave out files";
  return command
    .option(
      "--model <id|dir>",
      `codesearch-small (bundled, no download), a hub model id or a local model directory${servedModel} (default: the index's model, else ${DEFAULT_MODEL_ID})`,
    )
    .option("--db <dir|uri>", "index folder or LanceDB URI: s3://, gs://, az://, db:// (default: <repo>/.codesearch)")
    .option("--cache-dir <dir>", "embedding cache folder (default: inside a local index; for a URI, ~/.cache/codesearch/indexes/<id> with the catalog and lock)")
    .option("--shared-cache <dir|off>", SHARED_CACHE_HELP)
    .option("--offline", "never download; fail naming the missing model files")
    .option("--batch-size <n>", "entities per model call or request (default: the model folder's, else 1 local, 100 openai)", positiveInt("--batch-size"))
    .option("--max-tokens <n>", "token limit per entity (default: the index's, else 512; never above the model's)", positiveInt("--max-tokens"))
    .option("--max-file-bytes <n>", "skip larger files (default 1048576)", positiveInt("--max-file-bytes"))
    .addOption(new Option("--exclude <pattern>", `${excluded} matching this .gitignore-style pattern (repeatable)`).argParser(collect));
}

/**
 * Builds the `codesearch` program. Actions resolve to an exit code stored on `result`; `argv` (as
 * `process.argv`) is what `index` repeats in the command it prints to resume a stopped run.
 */
export function buildProgram(result: { exitCode: ExitCodeValue }, argv: readonly string[] = process.argv, pipes: OutputPipes = watchOutputPipes()): Command {
  const program = new Command("codesearch")
    .description("Semantic code search: index the functions, methods, classes and other definitions of a repository, then ask in plain words.")
    .version("0.1.0")
    .showHelpAfterError("(run with --help for usage)")
    .addHelpText("after", EXIT_CODES_HELP)
    .exitOverride();

  const index = program
    .command("index")
    .description("find every function, method and class under <repo>, embed them, and store them in <repo>/.codesearch")
    .addHelpText(
      "after",
      `
Examples:
  codesearch index                                  # the current directory, model as recorded (else CodeBERT)
  codesearch index ~/src/app --model codesearch-small   # the model shipped with codesearch, no download
  codesearch index . --exclude 'migrations/' --dry-run  # what would be embedded, changing nothing
  codesearch index . --json | jq -c 'select(.type == "index-finished")'

Ctrl-C stops after saving (exit 130) and prints the command that resumes; runs are incremental.`,
    )
    .argument("[repo]", "repository root (default: the current folder, or the indexed repository it is in)");
  addIndexRunOptions(index, "index")
    .option("--rebuild", "re-read every file and rebuild the table (vectors from the cache); also allows another model than the index's")
    .option("--retry-failed", "re-attempt files and entities that failed in earlier runs")
    .option("--dry-run", "report what would be embedded, cached and removed; change nothing")
    .option("--max-items <n>", "embed at most n entities in this run; the next run continues", positiveInt("--max-items"))
    .option("--wait", "if another index run is writing this index, wait for it instead of failing")
    .addOption(new Option("--embedder <kind>", "local (this machine: onnxruntime-node, or transformers.js for models it cannot tokenise) or openai (any OpenAI-compatible /v1/embeddings; default: the index's)").choices(EMBEDDER_KINDS))
    .option("--base-url <url>", "with --embedder openai: the API base, e.g. http://127.0.0.1:8080/v1 (default https://api.openai.com/v1)")
    .option("--api-key-env <name>", "with --embedder openai: environment variable holding the API key (default OPENAI_API_KEY)")
    .option("--batch-tokens <n>", "with --embedder openai: estimated tokens per request (default 100000)", positiveInt("--batch-tokens"))
    .option("--concurrency <n>", "with --embedder openai: requests in flight (default 4)", positiveInt("--concurrency"))
    .option("--request-timeout <seconds>", "with --embedder openai: time limit per request (default 60)", positiveInt("--request-timeout"))
    .option("--retries <n>", "with --embedder openai: retries per request (default 5)", wholeNumber("--retries"))
    .addOption(new Option("--json", "print progress events as JSON lines on stdout").conflicts("plain"))
    .option("--plain", "print plain progress lines even on a terminal")
    .option("--verbose", "with plain output: show error causes and cache saves")
    .action(async (repo: string | undefined, options: IndexCommandOptions) => {
      const { runIndexCommand } = await import("./index-command.js");
      result.exitCode = await runIndexCommand(repo, options, argv.slice(2), pipes);
    });

  const watch = program
    .command("watch")
    .description("keep the index of <repo> following edits: index now, then re-index incrementally after each burst of changes")
    .argument("[repo]", "repository root (default: the current folder, or the indexed repository it is in)");
  addIndexRunOptions(watch, "watch")
    .addOption(new Option("--debounce <ms>", "quiet time after the last change before re-indexing").default(DEFAULT_DEBOUNCE_MS).argParser(wholeNumber("--debounce")))
    .addOption(new Option("--json", "print watch events (each run's summary included) as JSON lines on stdout").conflicts("plain"))
    .option("--plain", "one plain line per refresh on stderr (the default, on a terminal too; as `index --plain`)")
    .option("--verbose", "also print each run's progress lines")
    .addHelpText(
      "after",
      `
Examples:
  codesearch watch                      # follow the repository in the current directory
  codesearch watch ~/src/app --exclude 'build/' --json

Each burst of changes (an editor save, a 2,000-file git checkout) becomes one incremental run.
Ctrl-C stops after saving what the run in flight finished (exit 0). See docs/cli.md, "Watch mode".`,
    )
    .action(async (repo: string | undefined, options: WatchCommandOptions) => {
      const { runWatchCommand } = await import("./watch-command.js");
      result.exitCode = await runWatchCommand(repo, options);
    });

  program
    .command("status")
    .description("show what the index holds, what changed on disk since, failures, and the last run")
    .addHelpText("after", "\nExamples:\n  codesearch status\n  codesearch status ~/src/app --json")
    .argument("[repo]", "repository (default: the nearest index from the current directory upwards)")
    .option("--db <dir|uri>", "index folder or LanceDB URI")
    .option("--json", "print the status as one JSON object")
    .action(async (repo: string | undefined, options: { db?: string; json?: boolean }) => {
      const { runStatusCommand } = await import("./status-command.js");
      result.exitCode = await runStatusCommand(repo, options);
    });

  program
    .command("verify")
    .description("check the index thoroughly: every table file, row and vector (against the embedding cache) and search index")
    .argument("[repo]", "repository (default: the nearest index from the current directory upwards)")
    .option("--db <dir|uri>", "index folder or LanceDB URI")
    .option("--cache-dir <dir>", "embedding cache folder, if not the index's own")
    .option("--repair", "rebuild a damaged index from the embedding cache (no vector is computed again unless the cache lost it)")
    .option("--offline", "with --repair: never download the model")
    .option("--json", 'print {"before", "repaired", "after"?} as one JSON object')
    .addHelpText("after", "\nExamples:\n  codesearch verify\n  codesearch verify ~/src/project --repair\n\nExit code 0 when sound (or repaired), 6 when damage remains.")
    .action(async (repo: string | undefined, options: { db?: string; cacheDir?: string; repair?: boolean; offline?: boolean; json?: boolean }) => {
      const { runVerifyCommand } = await import("./verify-command.js");
      result.exitCode = await runVerifyCommand(repo, options);
    });

  const search = program
    .command("search")
    .description("search the nearest index (from the current directory upwards) for code matching <query>")
    .addHelpText(
      "after",
      `
Examples:
  codesearch search "retry a request when the connection resets"
  codesearch search "parse the content type header" --repo ~/src/app -n 5 --context 2
  codesearch search "cart total" --path ./shop/ --kind method --vimgrep   # file:line:col:text for editors
  codesearch search "load config" --json | jq '.results[0].path'

Paths print relative to the current folder; --path globs are read from there too.`,
    )
    .argument("[query]", "what you are looking for, in plain words or code")
    .addOption(new Option("--repo <dir>", "search the index of this repository").conflicts("db"))
    .option("--db <dir|uri>", "index folder or LanceDB URI (s3://, gs://, az://, db://) to search, instead of --repo")
    .addOption(new Option("-n, --limit <n>", "number of results").default(10).argParser(positiveInt("--limit")))
    .option("--json", 'print {"query", "mode", "results": [...]} as JSON, with each side\'s rank per hit')
    .option("--queries <file.jsonl>", 'run every {"query", "id"?} line of a JSON-lines file, one JSON line out per query')
    .addOption(new Option("--preview <lines>", "source lines shown per hit").default(3).argParser(wholeNumber("--preview")).conflicts("context"))
    .option("--context <lines>", "show this many lines around each hit's best-matching line instead of the preview", wholeNumber("--context"))
    .option("--vimgrep", "one file:line:column:text line per hit, as grep -n / ripgrep --vimgrep print (for editors and tools)")
    .option("--offline", "never download the model")
    .option("--request-timeout <seconds>", "remote model: time limit per request (default 60)", positiveInt("--request-timeout"))
    .option("--retries <n>", "remote model: retries per request (default 5)", wholeNumber("--retries"));
  addRankingOptions(search).action(async (query: string | undefined, options: SearchCommandOptions) => {
    const { runSearchCommand } = await import("./search-command.js");
    result.exitCode = await runSearchCommand(query, options, pipes);
  });

  const evaluate = program
    .command("eval")
    .description("run a JSON-lines query set with known answers against the index; print MRR@10, Recall@1/5/10, nDCG@10 and latency")
    .addHelpText("after", "\nExamples:\n  codesearch eval queries.jsonl --repo ~/src/app\n  codesearch eval queries.jsonl --db /tmp/index --mode lexical --json --per-query\n  codesearch eval devsets/python/jinja2.jsonl --db /tmp/index --group-by category")
    .argument("<queries.jsonl>", 'one {"query", "category"?, "relevant": [{"file", "qualname" or "name", "start_line"?} or {"file"} for a file-level answer]} per line')
    .addOption(new Option("--repo <dir>", "evaluate the index of this repository").conflicts("db"))
    .option("--db <dir>", "index folder to evaluate, instead of --repo")
    .option("--json", "print the metrics as one JSON object")
    .option("--per-query", "also list each query's first relevant rank")
    .option("--group-by <fields>", "also report the metrics per value of these comma-separated query fields (e.g. category)")
    .option("--offline", "never download the model");
  addRankingOptions(evaluate).action(async (queries: string, options: EvalCommandOptions) => {
    const { runEvalCommand } = await import("./eval-command.js");
    result.exitCode = await runEvalCommand(queries, options);
  });

  const structural = (name: StructureCommand, argument: string, description: string, defaultLimit: number, examples: string) =>
    program
      .command(name)
      .description(description)
      .argument(argument)
      .option("--repo <dir>", "use the index of this repository")
      .option("--db <dir|uri>", "index folder or LanceDB URI")
      .addOption(new Option("-n, --limit <n>", "most items printed").default(defaultLimit).argParser(positiveInt("--limit")))
      .option("--max-tokens <n>", "cut the answer at this many estimated tokens, as the MCP tool does", positiveInt("--max-tokens"))
      .option("--json", "print the MCP tool's structured answer as one JSON object")
      .option("--offline", "never download the model")
      .addOption(new Option("--path <glob>", "only definitions in files matching this glob (repeatable; !glob excludes; dir/ means everything below dir)").argParser(collect))
      .addOption(new Option("--kind <kind>", "only this kind of definition (repeatable)").argParser(collect))
      .option("--exclude-tests", "leave out test files and test functions")
      .addHelpText("after", `\nExamples:\n${examples}`);
  const runStructural = (name: StructureCommand) => async (subject: string | undefined, options: StructureCommandOptions) => {
    const { runStructureCommand } = await import("./structure-command.js");
    result.exitCode = await runStructureCommand(name, subject, options);
  };
  structural("def", "<name>", "find definitions by name, qualified name (Cart.total, pkg.mod.func), glob (*Error) or fuzzy pattern", 20,
    "  codesearch def mail_admins\n  codesearch def 'Cart.total'\n  codesearch def '*Error' --kind class --json").action(runStructural("def"));
  structural("outline", "[path]", "a file's definitions as a tree, or a folder's (default: the repository's) most referenced definitions first", 200,
    "  codesearch outline shop/cart.py\n  codesearch outline shop/ --max-tokens 2000\n  codesearch outline            # the whole repository, most referenced first").action(runStructural("outline"));
  structural("refs", "<name|file:line|id>", "where a definition is called, imported, subclassed, instantiated or named; --callers / --callees for one hop of the call graph", 50,
    "  codesearch refs mail_admins\n  codesearch refs Cart.total --callers\n  codesearch refs shop/cart.py:21 --callees --no-name-matches")
    .option("--callers", "only call sites (who calls it)")
    .option("--callees", "what it calls")
    .option("--no-name-matches", "leave out same-name sites that did not resolve")
    .action(runStructural("refs"));
  structural("related", "<name|file:line|id>", "definitions most similar to a given one (stored vectors, shared names, calls between them)", 10,
    "  codesearch related Cart.total\n  codesearch related shop/cart.py:21 --exclude-tests").action(runStructural("related"));

  program
    .command("mcp")
    .description("serve the index to coding agents over MCP (stdio): tools search, read, symbols, outline, references, related, status and reindex")
    .argument("[repo]", "repository (default: the nearest index from the current directory upwards, else the current directory)")
    .option("--db <dir|uri>", "index folder or LanceDB URI")
    .option("--offline", "never download the model")
    .option("--max-answer-tokens <n>", `size budget of each tool answer in estimated tokens (default ${DEFAULT_ANSWER_TOKENS}, at least ${MIN_ANSWER_TOKENS})`, atLeast("--max-answer-tokens", MIN_ANSWER_TOKENS))
    .addOption(new Option("--exclude <pattern>", "leave out files matching this .gitignore-style pattern in reindex and watch runs (repeatable)").argParser(collect))
    .option("--watch", "keep the index following edits (as `codesearch watch`); answers say when they may be stale")
    .option("--model <id|dir>", `model of the index the reindex tool and --watch build when there is none yet: codesearch-small (bundled, no download), a hub model id or a local model directory (default: the index's model, else ${DEFAULT_MODEL_ID})`)
    .option("--cache-dir <dir>", "embedding cache folder of reindex and watch runs (default: inside a local index)")
    .option("--shared-cache <dir|off>", SHARED_CACHE_HELP)
    .option("--batch-size <n>", "reindex and watch runs: entities per model call (default: the model folder's, else 1)", positiveInt("--batch-size"))
    .option("--max-tokens <n>", "reindex and watch runs: token limit per entity (default: the index's, else 512)", positiveInt("--max-tokens"))
    .option("--max-file-bytes <n>", "reindex and watch runs: skip larger files (default 1048576)", positiveInt("--max-file-bytes"))
    .addHelpText(
      "after",
      `
Examples:
  claude mcp add codesearch -- codesearch mcp /path/to/repo            # codesearch installed (npm install -g, or npm link in the clone)
  claude mcp add codesearch -- node /path/to/codesearch/bin/codesearch.js mcp /path/to/repo   # straight from a clone
  codesearch mcp . --watch --model codesearch-small --max-answer-tokens 4000

stdout carries only MCP messages; logs go to stderr. Without an index the tools answer with an
error until \`reindex\` (or \`codesearch index\`) builds one.`,
    )
    .action(async (repo: string | undefined, options: McpCommandOptions) => {
      const { runMcpCommand } = await import("./mcp-command.js");
      result.exitCode = await runMcpCommand(repo, options);
    });

  return program;
}

/**
 * Parses `argv` (as `process.argv`), runs the command, prints fatal errors to stderr, and resolves
 * to the exit code: 141 when stdout or stderr lost its reader (`| head`) and the command otherwise
 * succeeded.
 */
export async function runCli(argv: string[]): Promise<ExitCodeValue> {
  const result: { exitCode: ExitCodeValue } = { exitCode: ExitCode.Success };
  const pipes = watchOutputPipes();
  const program = buildProgram(result, argv, pipes);
  const wantsJson = argv.includes("--json") || argv.some((a) => a.startsWith("--queries"));
  try {
    await program.parseAsync(argv);
    await pipes.settle();
    const succeeded = result.exitCode === ExitCode.Success || result.exitCode === ExitCode.CompletedWithFailures;
    return succeeded && pipes.closed() ? ExitCode.BrokenPipe : result.exitCode;
  } catch (error) {
    if (error instanceof CommanderError) {
      // Help and version exit 0; commander already printed the message for usage errors.
      return error.exitCode === 0 ? ExitCode.Success : ExitCode.Usage;
    }
    const report = toFatalReport(error);
    writeHuman(process.stderr, `codesearch: error: ${report.message}`);
    for (const line of report.details) writeHuman(process.stderr, `  ${line}`);
    if (wantsJson) {
      process.stdout.write(`${JSON.stringify({ type: "error", code: report.code, exitCode: report.exitCode, message: report.message })}\n`);
    }
    return report.exitCode;
  }
}
