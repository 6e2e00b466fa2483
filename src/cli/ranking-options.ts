import path from "node:path";
import { type Command, InvalidArgumentError, Option } from "commander";
import { UsageError } from "../model/errors.js";
import { SEARCH_MODES, type SearchMode, type SearchRequest } from "../model/search.js";
import { ENTITY_KINDS, type EntityKind } from "../model/entity-kinds.js";
import { LANGUAGE_IDS } from "../lang/index.js";

const KINDS: readonly EntityKind[] = ENTITY_KINDS;

/** The options {@link addRankingOptions} adds, as commander parses them. */
export interface RankingCliOptions {
  mode: SearchMode;
  /** `--path`, repeatable; undefined when not given. */
  path?: string[];
  /** `--kind`, repeatable; undefined when not given. */
  kind?: EntityKind[];
  /** `--lang`, repeatable: language ids; undefined when not given. */
  lang?: string[];
  excludeTests?: boolean;
  /** `--vector-weight`: hybrid mode's vector weight instead of the index's calibrated one. */
  vectorWeight?: number;
}

/**
 * Adds the options that choose the ranking side and the filters, shared by `search` and `eval`:
 * `--mode`, `--path <glob>`, `--kind <kind>` and `--lang <language>` (all repeatable), `--exclude-tests`, `--vector-weight`.
 * @returns `command`, for chaining.
 */
export function addRankingOptions(command: Command): Command {
  return command
    .addOption(new Option("--mode <mode>", "vector (embeddings), lexical (BM25 over code words) or hybrid (both, fused)").choices(SEARCH_MODES).default("hybrid"))
    .addOption(
      new Option("--path <glob>", "only files matching this glob, relative to the current folder or the repository (repeatable; !glob excludes; dir/ means everything below dir)")
        .argParser((value: string, previous: string[] = []) => [...previous, value]),
    )
    .addOption(
      new Option("--kind <kind>", `only this kind of entity (repeatable): ${KINDS.join(", ")}`)
        .argParser((value: string, previous: EntityKind[] = []) => {
          if (!(KINDS as readonly string[]).includes(value)) throw new InvalidArgumentError(`--kind must be one of ${KINDS.join(", ")}`);
          return [...previous, value as EntityKind];
        }),
    )
    .addOption(
      new Option("--lang <language>", `only entities of this language (repeatable): ${LANGUAGE_IDS.join(", ")}`)
        .argParser((value: string, previous: string[] = []) => {
          if (!LANGUAGE_IDS.includes(value)) throw new InvalidArgumentError(`--lang must be one of ${LANGUAGE_IDS.join(", ")}`);
          return [...previous, value];
        }),
    )
    .option("--exclude-tests", "leave out test code by each language's conventions (test_*.py, *_test.go, *.test.ts, tests/ …) and test functions")
    .option(
      "--vector-weight <w>",
      "hybrid mode: weight of the vector side against lexical 1 (0 = lexical plus exact names); default: the weight the index calibrated (see `codesearch status`)",
      (value: string) => {
        const weight = Number(value);
        if (value.trim() === "" || !Number.isFinite(weight) || weight < 0) throw new InvalidArgumentError("--vector-weight must be a number ≥ 0");
        return weight;
      },
    );
}

/**
 * The {@link SearchRequest} for parsed ranking options and a result limit. With `location` (the
 * user's folder and the repository's root), `--path` globs are read as the user typed them there
 * (see {@link toRepoGlobs}).
 * @throws UsageError when `--vector-weight` is given outside hybrid mode, where it would do nothing.
 */
export function toSearchRequest(options: RankingCliOptions, limit: number, location?: { cwd: string; repoRoot: string }): SearchRequest {
  if (options.vectorWeight !== undefined && options.mode !== "hybrid") throw new UsageError(`--vector-weight applies to hybrid mode only, not --mode ${options.mode}`);
  const paths = options.path ?? [];
  return {
    limit,
    mode: options.mode,
    filters: {
      paths: location ? toRepoGlobs(paths, location.cwd, location.repoRoot) : paths,
      kinds: options.kind ?? [],
      languages: options.lang ?? [],
      excludeTests: options.excludeTests === true,
    },
    ...(options.vectorWeight !== undefined ? { vectorWeight: options.vectorWeight } : {}),
  };
}

/**
 * `--path` globs typed in `cwd` as globs over repository-relative paths (each keeps its `!`):
 * `./x` and `../x` are resolved against `cwd`; a pattern with a `/` typed in a subfolder matches
 * both below that subfolder and from the repository root (so `net/retry.py` and
 * `shop/net/retry.py` both work in `shop/`); a bare name (`cart.py`, `*_util.py`) still matches
 * file names anywhere. Patterns pointing outside the repository match nothing.
 */
export function toRepoGlobs(globs: readonly string[], cwd: string, repoRoot: string): string[] {
  const here = path.relative(repoRoot, cwd).split(path.sep).join("/");
  const inside = here === "" || (!here.startsWith("../") && here !== ".." && !path.isAbsolute(here));
  return globs.flatMap((glob) => {
    const negated = glob.startsWith("!");
    const pattern = negated ? glob.slice(1) : glob;
    const mark = (p: string) => (negated ? `!${p}` : p);
    if (/^\.\.?(\/|$)/.test(pattern)) {
      const resolved = path.relative(repoRoot, path.resolve(cwd, pattern)).split(path.sep).join("/");
      const trailing = pattern.endsWith("/") && resolved !== "" ? "/" : "";
      if (resolved === "") return [mark("**")];
      return [mark(`${resolved}${trailing}`)];
    }
    if (!pattern.includes("/") || !inside || here === "") return [glob];
    return [glob, mark(`${here}/${pattern}`)];
  });
}
