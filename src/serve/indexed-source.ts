import { constants } from "node:fs";
import { lstat, open, readlink, realpath } from "node:fs/promises";
import path from "node:path";
import { UsageError } from "../model/errors.js";
import type { SearchSession } from "../pipeline/index.js";

/**
 * Largest file the `read` tool reads, in bytes: 1 MiB, the default of `codesearch index
 * --max-file-bytes` (discover/discover-files.ts's DEFAULT_MAX_FILE_BYTES), so every file an index
 * built with the defaults holds can be shown.
 */
export const READ_MAX_FILE_BYTES = 1024 * 1024;

/**
 * Opened read-only and without waiting: O_NONBLOCK makes opening a FIFO return at once (instead of
 * holding one of libuv's few file threads until a writer comes), O_NOFOLLOW refuses a last path
 * component that is a symbolic link. Both are 0 where the platform lacks them.
 */
const OPEN_FLAGS = constants.O_RDONLY | (constants.O_NONBLOCK ?? 0) | (constants.O_NOFOLLOW ?? 0);

/**
 * The text of `file` (repository-relative POSIX path, already normalised) as on disk now, read only
 * when it is a file the index holds, inside the repository, not reached through a symbolic link,
 * regular, and at most {@link READ_MAX_FILE_BYTES}. The checks, in order: the index holds the path
 * (`session.holdsFile`: discovery's rules, so `.env`, `.git/…`, ignored, non-source and index files
 * are refused); the path with every link resolved is the same path inside the repository's real
 * root; the opened descriptor is (on Linux, by its `/proc/self/fd` link) that same file, a regular
 * one, and small enough. Nothing outside the repository is opened by a path that the first checks
 * refuse; a link swapped in between them and the open is caught by the descriptor check.
 * @returns the file's bytes decoded as UTF-8.
 * @throws UsageError saying which check refused the file, or that it cannot be read now.
 */
export async function readIndexedFile(session: Pick<SearchSession, "repoRoot" | "holdsFile">, file: string): Promise<string> {
  if (file === ".." || file.startsWith("../") || path.posix.isAbsolute(file)) {
    throw new UsageError(`${file} is outside the indexed repository; give a path relative to its root`);
  }
  const repoRoot = session.repoRoot;
  const absolute = path.join(repoRoot, file);
  if (!(await session.holdsFile(file))) {
    const exists = await lstat(absolute).then(
      () => true,
      () => false,
    );
    throw new UsageError(
      exists
        ? `${file} is not a file the index holds: read shows only the source files \`codesearch index\` indexed (not ignored, hidden, linked, non-source or index files; a file added since the last run needs reindex first)`
        : `${file} is not a file the index holds (no such indexed file); search first and read a hit by its id`,
    );
  }
  const [realRoot, resolved] = await Promise.all([realpath(repoRoot), realpath(absolute)]).catch((error: unknown) => {
    throw new UsageError(`cannot read ${file}: ${(error as NodeJS.ErrnoException).code ?? String(error)}; it may have been removed since the last run (run reindex)`, { cause: error });
  });
  checkResolved(file, realRoot, resolved);

  let handle;
  try {
    handle = await open(absolute, OPEN_FLAGS);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === "ELOOP") throw new UsageError(`${file} is a symbolic link: the index never follows links, so read does not either`, { cause: error });
    throw new UsageError(`cannot read ${file}: ${code ?? String(error)}`, { cause: error });
  }
  try {
    const opened = await readlink(`/proc/self/fd/${handle.fd}`).catch(() => null);
    if (opened !== null) checkResolved(file, realRoot, opened);
    const stats = await handle.stat();
    if (!stats.isFile()) throw new UsageError(`${file} is not a regular file (a FIFO, socket or device): read serves regular files only`);
    if (stats.size > READ_MAX_FILE_BYTES) throw new UsageError(`${file} is ${stats.size} bytes, over read's limit of ${READ_MAX_FILE_BYTES} bytes (1 MiB)`);
    // One byte more than the stat said: a file that grew after the stat is refused, not read on and on.
    const buffer = Buffer.alloc(stats.size + 1);
    let length = 0;
    for (;;) {
      const { bytesRead } = await handle.read(buffer, length, buffer.length - length, length);
      if (bytesRead === 0) break;
      length += bytesRead;
      if (length === buffer.length) throw new UsageError(`${file} grew while being read; try again`);
    }
    return buffer.toString("utf8", 0, length);
  } finally {
    await handle.close();
  }
}

/**
 * Refuses `file` unless `resolved` (its real path) is the same repository-relative path below `realRoot`.
 * @throws UsageError for a path that leads outside the repository or passes through a link.
 */
function checkResolved(file: string, realRoot: string, resolved: string): void {
  const relative = path.relative(realRoot, resolved);
  if (relative === "" || relative === ".." || relative.startsWith(`..${path.sep}`) || path.isAbsolute(relative)) {
    throw new UsageError(`${file} is or passes through a symbolic link that leads outside the repository: read serves only files inside it`);
  }
  const posix = relative.split(path.sep).join("/");
  if (posix !== file) throw new UsageError(`${file} is or passes through a symbolic link (to ${posix}): the index never follows links, so read does not either`);
}
