/**
 * discover/ owns walking a repository and deciding which source files to index (ignore rules, size limit).
 * It must not read file contents beyond ignore files, parse, embed or print.
 */
import { lstat, open, readdir, readFile, stat } from "node:fs/promises";
import path from "node:path";
import ignore, { type Ignore } from "ignore";
import type { SkippedFile, SourceFile } from "../model/types.js";
import { ENVIRONMENT_MARKERS, GENERATED_DIRS, TOOL_DIRS, isGeneratedFile, isSourcePath, languageForShebang, type LanguageSpec } from "../lang/index.js";

/** Directories never descended into, whatever the ignore files say. */
export const ALWAYS_SKIPPED_DIRS: ReadonlySet<string> = new Set([
  ".git",
  ".hg",
  ".svn",
  "node_modules",
  ".codesearch",
  ...TOOL_DIRS,
]);

/** Ignore files read in every directory, in this order; both use `.gitignore` syntax. */
export const IGNORE_FILE_NAMES = [".gitignore", ".codesearchignore"] as const;

/** Default largest file indexed, in bytes (1 MiB); larger files are skipped with reason `too-large`. */
export const DEFAULT_MAX_FILE_BYTES = 1024 * 1024;

/** Options of {@link discoverFiles}. */
export interface DiscoverOptions {
  /** Files larger than this many bytes are reported as skipped. Default {@link DEFAULT_MAX_FILE_BYTES}. */
  maxFileBytes?: number;
  /** Absolute directories to leave out entirely (e.g. an index folder inside the repository). */
  excludeDirs?: string[];
  /** Extra patterns in `.gitignore` syntax, anchored at the repository root (`--exclude`); no ignore file can re-include what they exclude. */
  exclude?: string[];
  /**
   * Called with the repository-relative POSIX path of each directory the walk does not enter
   * (always-skipped names, virtualenvs, ignore rules, `excludeDirs`, `exclude`), so a file
   * watcher can leave the same trees unwatched.
   */
  onPrunedDir?: (relPath: string) => void;
}

/** What {@link discoverFiles} found. */
export interface DiscoverResult {
  /** Source files to index (an extension of some language in src/lang/), sorted by `path`. */
  files: SourceFile[];
  /**
   * Files left out on purpose, sorted by `path`: too large; symbolic links with a source file's name or pointing
   * to a directory (not followed); source file names on FIFOs, sockets or devices (never opened).
   */
  skipped: SkippedFile[];
  /** Directories or files that could not be listed or stat-ed, with the reason. */
  unreadable: { path: string; message: string }[];
}

interface IgnoreScope {
  /** Repository-relative POSIX directory the rules are anchored at ("" for the root). */
  base: string;
  rules: Ignore;
}

/**
 * Walks `repoRoot` and returns its source files (by extension, see `isSourcePath`; a file without
 * an extension by its `#!` line, see `languageForShebang`), honouring nested `.gitignore` and `.codesearchignore`
 * files (negations and anchored patterns as git defines them, via the `ignore` package),
 * skipping {@link ALWAYS_SKIPPED_DIRS}, generated code by each language's rules (`dist/`, `vendor/`,
 * `target/` folders and `*.min.js`-like files, reported in `skipped` with reason `generated`), environments (any directory holding an `ENVIRONMENT_MARKERS` file such as a virtualenv's `pyvenv.cfg`) and
 * `excludeDirs`, and `exclude` patterns. Symbolic links are never followed. Files over
 * `maxFileBytes`, links with a source file's name or to directories, and source file names on entries that are not regular
 * files are returned in `skipped`. Reads directory listings and ignore files only, never
 * a source file's contents (binary files are detected when read, see `readSource`).
 *
 * @throws Error when `repoRoot` itself cannot be listed (not a directory, no permission).
 */
export async function discoverFiles(repoRoot: string, options: DiscoverOptions = {}): Promise<DiscoverResult> {
  const root = path.resolve(repoRoot);
  const maxFileBytes = options.maxFileBytes ?? DEFAULT_MAX_FILE_BYTES;
  const excluded = new Set((options.excludeDirs ?? []).map((d) => path.resolve(d)));
  const result: DiscoverResult = { files: [], skipped: [], unreadable: [] };
  // --exclude patterns are checked last and win over any ignore file's negations.
  const excludeRules = options.exclude?.length ? ignore().add(options.exclude) : null;

  // The root must be listable; below it, problems become `unreadable` entries.
  await readdir(root);

  const walk = async (absDir: string, relDir: string, scopes: IgnoreScope[]): Promise<void> => {
    let names: string[];
    try {
      names = (await readdir(absDir)).sort();
    } catch (error) {
      result.unreadable.push({ path: relDir || ".", message: errorCode(error) });
      return;
    }
    if (relDir !== "" && ENVIRONMENT_MARKERS.some((marker) => names.includes(marker))) {
      options.onPrunedDir?.(relDir);
      return;
    }
    const localScopes = [...scopes];
    for (const ignoreName of IGNORE_FILE_NAMES) {
      if (!names.includes(ignoreName)) continue;
      const rules = await readIgnoreFile(path.join(absDir, ignoreName));
      if (rules) localScopes.push({ base: relDir, rules });
    }
    for (const name of names) {
      const absPath = path.join(absDir, name);
      const relPath = relDir === "" ? name : `${relDir}/${name}`;
      let stats;
      try {
        stats = await lstat(absPath);
      } catch (error) {
        result.unreadable.push({ path: relPath, message: errorCode(error) });
        continue;
      }
      if (stats.isSymbolicLink()) {
        const asDir = !isSourcePath(name);
        if ((await isReportedLink(absPath, name)) && !isIgnored(localScopes, relPath, asDir) && !excludeRules?.ignores(asDir ? `${relPath}/` : relPath)) {
          result.skipped.push({ path: relPath, reason: "symlink", sizeBytes: stats.size });
        }
        continue;
      }
      if (stats.isDirectory()) {
        const pruned =
          ALWAYS_SKIPPED_DIRS.has(name) || excluded.has(absPath) || isIgnored(localScopes, relPath, true) || excludeRules?.ignores(`${relPath}/`);
        if (pruned) {
          options.onPrunedDir?.(relPath);
          continue;
        }
        if (GENERATED_DIRS.includes(name)) {
          options.onPrunedDir?.(relPath);
          result.skipped.push({ path: `${relPath}/`, reason: "generated", sizeBytes: 0 });
          continue;
        }
        await walk(absPath, relPath, localScopes);
      } else if (stats.isFile() && (isSourcePath(name) || (!name.includes(".") && stats.size <= maxFileBytes && (await hasKnownShebang(absPath))))) {
        if (isIgnored(localScopes, relPath, false) || excludeRules?.ignores(relPath)) continue;
        if (isGeneratedFile(relPath)) {
          result.skipped.push({ path: relPath, reason: "generated", sizeBytes: stats.size });
          continue;
        }
        if (stats.size > maxFileBytes) {
          result.skipped.push({ path: relPath, reason: "too-large", sizeBytes: stats.size });
          continue;
        }
        result.files.push({ path: relPath, absPath, sizeBytes: stats.size, mtimeMs: stats.mtimeMs });
      } else if (!stats.isFile() && isSourcePath(name)) {
        if (isIgnored(localScopes, relPath, false) || excludeRules?.ignores(relPath)) continue;
        result.skipped.push({ path: relPath, reason: "not-regular-file", sizeBytes: 0 });
      }
    }
  };

  await walk(root, "", []);
  result.files.sort((a, b) => compareStrings(a.path, b.path));
  result.skipped.sort((a, b) => compareStrings(a.path, b.path));
  return result;
}

/** Bytes of an extensionless file read to find its `#!` line. */
const SHEBANG_BYTES = 128;

/**
 * Whether a file without an extension starts with a `#!` line naming a language's interpreter
 * (`#!/usr/bin/env python3`, `#!/usr/bin/node`): such a file is that language's source.
 */
async function hasKnownShebang(absPath: string): Promise<boolean> {
  return (await shebangLanguage(absPath)) !== null;
}

/**
 * The language a file's `#!` line names (`#!/usr/bin/env python3` → Python), or null when it has
 * none, names no known interpreter, or cannot be read. Reads at most {@link SHEBANG_BYTES} bytes.
 * @param absPath absolute path of the file.
 */
export async function shebangLanguage(absPath: string): Promise<LanguageSpec | null> {
  let handle;
  try {
    handle = await open(absPath, "r");
    const buffer = Buffer.alloc(SHEBANG_BYTES);
    const { bytesRead } = await handle.read(buffer, 0, SHEBANG_BYTES, 0);
    const head = buffer.subarray(0, bytesRead).toString("utf8");
    return head.startsWith("#!") ? languageForShebang(head.split("\n")[0]!) : null;
  } catch {
    return null;
  } finally {
    await handle?.close();
  }
}

/**
 * Whether a symbolic link is worth reporting as skipped: it has a source file's name, or it points to a
 * directory (a tree the walk does not enter). Links to other files, and dangling links without a
 * source file's name, are left out silently, as any other file of no known language is.
 */
async function isReportedLink(absPath: string, name: string): Promise<boolean> {
  if (isSourcePath(name)) return true;
  if (ALWAYS_SKIPPED_DIRS.has(name)) return false;
  const target = await stat(absPath).catch(() => null);
  return target?.isDirectory() ?? false;
}

/** Tests `relPath` against every scope whose base contains it, the deepest scope deciding last. */
function isIgnored(scopes: IgnoreScope[], relPath: string, isDir: boolean): boolean {
  let ignored = false;
  for (const scope of scopes) {
    if (scope.base !== "" && !relPath.startsWith(`${scope.base}/`)) continue;
    const local = scope.base === "" ? relPath : relPath.slice(scope.base.length + 1);
    const verdict = scope.rules.test(isDir ? `${local}/` : local);
    if (verdict.ignored) ignored = true;
    else if (verdict.unignored) ignored = false;
  }
  return ignored;
}

async function readIgnoreFile(absPath: string): Promise<Ignore | null> {
  try {
    return ignore().add(await readFile(absPath, "utf8"));
  } catch {
    // An unreadable ignore file is treated as empty: indexing a file too many beats hiding one.
    return null;
  }
}

function errorCode(error: unknown): string {
  const code = (error as NodeJS.ErrnoException).code;
  return code ? `cannot read (${code})` : "cannot read";
}

function compareStrings(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
