import { type Command, InvalidArgumentError, Option } from "commander";
import { SEARCH_MODES, type SearchMode, type SearchRequest } from "../model/search.js";
import type { EntityKind } from "../model/types.js";

const KINDS: readonly EntityKind[] = ["function", "method", "class"];

/** The options {@link addRankingOptions} adds, as commander parses them. */
export interface RankingCliOptions {
  mode: SearchMode;
  /** `--path`, repeatable; empty when not given. */
  path: string[];
  /** `--kind`, repeatable; empty when not given. */
  kind: EntityKind[];
  excludeTests?: boolean;
}

/**
 * Adds the options that choose the ranking side and the filters, shared by `search` and `eval`:
 * `--mode`, `--path <glob>` and `--kind <kind>` (both repeatable), `--exclude-tests`.
 * @returns `command`, for chaining.
 */
export function addRankingOptions(command: Command): Command {
  return command
    .addOption(new Option("--mode <mode>", "vector (embeddings), lexical (BM25 over code words) or hybrid (both, fused)").choices(SEARCH_MODES).default("hybrid"))
    .addOption(
      new Option("--path <glob>", "only files matching this glob (repeatable; !glob excludes; dir/ means everything below dir)")
        .argParser((value: string, previous: string[]) => [...previous, value])
        .default([]),
    )
    .addOption(
      new Option("--kind <kind>", `only this kind of entity (repeatable): ${KINDS.join(", ")}`)
        .argParser((value: string, previous: EntityKind[]) => {
          if (!(KINDS as readonly string[]).includes(value)) throw new InvalidArgumentError(`--kind must be one of ${KINDS.join(", ")}`);
          return [...previous, value as EntityKind];
        })
        .default([]),
    )
    .option("--exclude-tests", "leave out test files (test_*.py, *_test.py, tests/ …) and test_* functions");
}

/** The {@link SearchRequest} for parsed ranking options and a result limit. */
export function toSearchRequest(options: RankingCliOptions, limit: number): SearchRequest {
  return {
    limit,
    mode: options.mode,
    filters: { paths: options.path, kinds: options.kind, excludeTests: options.excludeTests === true },
  };
}
