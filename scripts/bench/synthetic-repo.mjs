// A large synthetic Python repository: the corpus's files copied again and again into r<k>/
// folders with the identifiers they define renamed, until it holds the asked number of entities.
import { mkdirSync, mkdtempSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";

/** Names never renamed: dunder methods keep their meaning, and soft keywords would break `match` statements. */
const KEEP = new Set(["match", "case", "type", "_"]);

const escapeRegExp = (s) => s.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");

/**
 * `text` with every whole-word occurrence of the names defined in the file (its entities' names,
 * dunders and soft keywords excepted) suffixed with `_r<copy>`. Identifiers stay identifiers, so
 * the file parses as before and yields as many entities, under new names and with new texts.
 */
export function renameDefinitions(text, names, copy) {
  const renamed = [...new Set(names)].filter((n) => !KEEP.has(n) && !/^__.*__$/.test(n)).sort((a, b) => b.length - a.length);
  if (renamed.length === 0) return text;
  const pattern = new RegExp(`(?<!\\w)(?:${renamed.map(escapeRegExp).join("|")})(?!\\w)`, "g");
  return text.replace(pattern, (name) => `${name}_r${copy}`);
}

/**
 * Writes copies 1, 2, … of `files` (as `loadCorpusChunks` returns them) into `r<copy>/<path>` of a
 * new temp folder until the copies' entities reach `targetEntities` (whole files, so it may pass
 * it by less than one file's entities).
 * @returns `{ dir, files, entities, copies }`: `entities` counted from the originals' extraction.
 */
export function writeSyntheticRepo(files, targetEntities) {
  const dir = mkdtempSync(path.join(os.tmpdir(), "codesearch-bench-synthetic-repo-"));
  const withEntities = files.filter((f) => f.chunks.length > 0);
  if (withEntities.length === 0) throw new Error("the corpus has no entities to replicate");
  let entities = 0;
  let written = 0;
  let copy = 0;
  while (entities < targetEntities) {
    copy++;
    for (const f of withEntities) {
      if (entities >= targetEntities) break;
      const target = path.join(dir, `r${copy}`, f.file.path);
      mkdirSync(path.dirname(target), { recursive: true });
      writeFileSync(target, renameDefinitions(f.text, f.chunks.map((c) => c.name), copy));
      entities += f.chunks.length;
      written++;
    }
  }
  return { dir, files: written, entities, copies: copy };
}
