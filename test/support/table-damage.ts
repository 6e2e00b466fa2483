// Bit rot that a size-and-mtime check cannot see: bytes of a table data file flipped, its mtime put back.
import { open, readdir, stat, utimes } from "node:fs/promises";
import path from "node:path";

/**
 * XORs `length` bytes (with 0x5a) in the middle of the first data file of the entity table in
 * `<repo>/.codesearch`, then restores the file's atime and mtime.
 * @returns the data file's name (relative to `data/`).
 */
export async function rotDataFile(repo: string, length: number): Promise<string> {
  const dataDir = path.join(repo, ".codesearch", "entities.lance", "data");
  const [name] = (await readdir(dataDir)).sort();
  const file = path.join(dataDir, name!);
  const before = await stat(file);
  const handle = await open(file, "r+");
  const bytes = Buffer.alloc(length);
  const at = Math.floor(before.size / 2);
  await handle.read(bytes, 0, length, at);
  for (let i = 0; i < length; i++) bytes[i] = bytes[i]! ^ 0x5a;
  await handle.write(bytes, 0, length, at);
  await handle.close();
  await utimes(file, before.atime, before.mtime);
  return name!;
}
