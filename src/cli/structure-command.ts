// `codesearch def`, `outline`, `refs` and `related`: the MCP structural tools run once over a
// one-shot session, printing the tool's text or (--json) its structured answer, so the CLI and
// the tools cannot drift apart.
import path from "node:path";
import type { EntityKind } from "../model/entity-kinds.js";
import { ExitCode, UsageError, type ExitCodeValue } from "../model/errors.js";
import type { SearchSession } from "../pipeline/index.js";
import { UNWATCHED } from "../serve/index-service.js";
import { runOutlineTool } from "../serve/outline-tool.js";
import { runReferencesTool } from "../serve/references-tool.js";
import { runRelatedTool } from "../serve/related-tool.js";
import type { StructureAnswer, StructureService } from "../serve/structure-answer.js";
import { runSymbolsTool } from "../serve/symbols-tool.js";
import type { EmbedderCliOptions } from "./embedder-options.js";
import { toRepoGlobs } from "./ranking-options.js";
import { openCliSearchSession } from "./search-command.js";

/** Options every structural command takes. */
export interface StructureCommandOptions extends Pick<EmbedderCliOptions, "requestTimeout" | "retries"> {
  repo?: string;
  db?: string;
  offline?: boolean;
  json?: boolean;
  limit: number;
  /** Answer budget in estimated tokens; unlimited when absent. */
  maxTokens?: number;
  path?: string[];
  kind?: EntityKind[];
  excludeTests?: boolean;
  /** `refs` only. */
  callers?: boolean;
  callees?: boolean;
  nameMatches?: boolean;
}

/** The structural commands. */
export type StructureCommand = "def" | "outline" | "refs" | "related";

/** A budget no answer reaches: the CLI prints every item up to --limit unless --max-tokens is given. */
const UNLIMITED_TOKENS = Number.MAX_SAFE_INTEGER;

/**
 * Runs one structural command on the nearest index (or `--repo` / `--db`): prints the tool's text
 * answer, or with `--json` its structured answer as one JSON object.
 * @throws UsageError (unknown target or path, --callers with --callees), IndexNotFoundError, StoreError.
 */
export async function runStructureCommand(command: StructureCommand, subject: string | undefined, options: StructureCommandOptions): Promise<ExitCodeValue> {
  if (options.callers && options.callees) throw new UsageError("give --callers or --callees, not both");
  const cwd = process.cwd();
  const session = await openCliSearchSession(cwd, options);
  try {
    const service: StructureService = { session: () => Promise.resolve(session), freshness: () => UNWATCHED };
    const answer = await runCommand(command, subject, options, service, session, cwd);
    process.stdout.write(`${options.json ? JSON.stringify(answer.structuredContent) : answer.content[0]!.text}\n`);
    return ExitCode.Success;
  } finally {
    await session.close();
  }
}

function runCommand(command: StructureCommand, subject: string | undefined, options: StructureCommandOptions, service: StructureService, session: SearchSession, cwd: string): Promise<StructureAnswer<unknown>> {
  const common = {
    limit: options.limit,
    max_tokens: options.maxTokens ?? UNLIMITED_TOKENS,
    ...(options.kind?.length ? { kinds: options.kind } : {}),
    ...(options.path?.length ? { paths: toRepoGlobs(options.path, cwd, session.repoRoot) } : {}),
    exclude_tests: options.excludeTests === true,
  };
  const repoPath = (typed: string) => {
    const relative = path.relative(session.repoRoot, path.resolve(cwd, typed)).split(path.sep).join("/");
    return relative.startsWith("..") ? typed : relative;
  };
  // `file.py:12` typed in a subfolder names a file there; names and ids pass through.
  const target = (typed: string) => {
    const fileLine = /^(.+\.\w+):(\d+)$/.exec(typed);
    return fileLine ? `${repoPath(fileLine[1]!)}:${fileLine[2]}` : typed;
  };
  switch (command) {
    case "def":
      return runSymbolsTool(service, { query: subject ?? "", ...common });
    case "outline":
      return runOutlineTool(service, { path: subject === undefined ? repoPath(".") : repoPath(subject), ...common });
    case "related":
      return runRelatedTool(service, { target: target(subject ?? ""), ...common });
    case "refs": {
      const direction = options.callers ? "callers" : options.callees ? "callees" : "references";
      return runReferencesTool(service, { target: target(subject ?? ""), direction, include_name_matches: options.nameMatches !== false, ...common });
    }
  }
}
