import path from "node:path";
import { UsageError } from "../model/errors.js";
import { findIndexUpwards } from "../store/index.js";

/** The repository an `index` or `watch` run works on, and a note for stderr when it was found upwards. */
export interface RepoTarget {
  repoRoot: string;
  /** Set when the repository is not the folder named (or the current folder): say which one runs. */
  note?: string;
}

/**
 * Which repository `codesearch index [repo]` (and `watch`) indexes, so that a run from a subfolder
 * never makes a second index nested in one that `search` and `status` (which look upwards) would
 * then find first. With `--db` the caller chose the index: `repo` (default the current folder) as
 * given. Otherwise, when the folder has no index of its own but a folder above it has one:
 * without `repo`, that enclosing repository; with `repo`, a usage error that spells out both
 * choices. Else `repo` (default `cwd`).
 * @throws UsageError when `repo` names a folder inside another indexed repository.
 */
export function resolveRepoTarget(repo: string | undefined, cwd: string, options: { db?: string; commandName: "index" | "watch" }): RepoTarget {
  const repoRoot = path.resolve(cwd, repo ?? ".");
  if (options.db !== undefined) return { repoRoot };
  const found = findIndexUpwards(repoRoot);
  if (found === null || found.repoRoot === repoRoot) return { repoRoot };
  if (repo === undefined) return { repoRoot: found.repoRoot, note: `${options.commandName === "index" ? "indexing" : "watching"} ${found.repoRoot}, the indexed repository this folder is in` };
  throw new UsageError(
    `${repoRoot} is inside ${found.repoRoot}, which has an index; choose one: ` +
      `\`codesearch ${options.commandName} ${found.repoRoot}\` keeps that index up to date (it covers this folder), or ` +
      `\`codesearch ${options.commandName} ${repo} --db ${path.join(repoRoot, ".codesearch")}\` makes a separate index of this folder alone ` +
      `(search and status from inside it then find that one first)`,
  );
}
