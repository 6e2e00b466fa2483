import path from "node:path";
import { ALWAYS_SKIPPED_DIRS, IGNORE_FILE_NAMES, discoverFiles } from "../discover/index.js";
import { ENVIRONMENT_MARKERS, isSourcePath } from "../lang/index.js";

/** What the watcher leaves out, as `@parcel/watcher`'s `ignore` option takes it. */
export interface UnwatchedPaths {
  /** Repository-relative POSIX directories discovery does not enter today, sorted. */
  dirs: string[];
  /** Absolute paths and globs for the watcher's `ignore` option. */
  ignore: string[];
}

/**
 * The directories the index ignores — found by the same walk `codesearch index` does, with the
 * same `.gitignore` / `.codesearchignore` rules, `--exclude` patterns, virtualenvs and
 * always-skipped names — plus globs for always-skipped names that appear later, so none of these
 * trees is watched. Reads directory listings and ignore files only.
 * @throws Error when `repoRoot` cannot be listed.
 */
export async function findUnwatchedPaths(repoRoot: string, options: { indexDir: string; exclude?: string[] }): Promise<UnwatchedPaths> {
  const dirs: string[] = [];
  await discoverFiles(repoRoot, {
    excludeDirs: [options.indexDir],
    ...(options.exclude?.length ? { exclude: options.exclude } : {}),
    onPrunedDir: (relPath) => dirs.push(relPath),
  });
  dirs.sort();
  const ignore = [...dirs.map((d) => path.join(repoRoot, ...d.split("/"))), ...[...ALWAYS_SKIPPED_DIRS].map((name) => `**/${name}`)];
  const indexDir = path.resolve(options.indexDir);
  if (isInside(repoRoot, indexDir)) ignore.push(indexDir);
  return { dirs, ignore };
}

/** How one file-system event bears on the index. */
export type ChangeKind = "source" | "ignore-rules" | "irrelevant";

/**
 * Classifies a changed path (absolute, under `repoRoot`): source files (an extension of some
 * language, see `isSourcePath`), and anything without an extension (it may be a directory) are
 * `source`; `.gitignore`, `.codesearchignore` and environment markers (`pyvenv.cfg`) change what
 * is indexed and watched (`ignore-rules`); paths inside always-skipped directories and other
 * files (editor temp files such as `x.py.tmp~`, `.pyc`, data) are
 * `irrelevant`. A deleted directory's files are reported one by one by the watcher.
 */
export function classifyChange(repoRoot: string, absPath: string): ChangeKind {
  const rel = path.relative(repoRoot, absPath);
  if (rel === "" || rel.startsWith("..") || path.isAbsolute(rel)) return "irrelevant";
  const parts = rel.split(path.sep);
  if (parts.slice(0, -1).some((p) => ALWAYS_SKIPPED_DIRS.has(p))) return "irrelevant";
  const base = parts[parts.length - 1]!;
  if (ALWAYS_SKIPPED_DIRS.has(base)) return "irrelevant";
  if ((IGNORE_FILE_NAMES as readonly string[]).includes(base) || ENVIRONMENT_MARKERS.includes(base)) return "ignore-rules";
  return isSourcePath(base) || !base.includes(".") ? "source" : "irrelevant";
}

function isInside(parent: string, child: string): boolean {
  const rel = path.relative(path.resolve(parent), child);
  return rel !== "" && !rel.startsWith("..") && !path.isAbsolute(rel);
}
