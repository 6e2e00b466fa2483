// The prepared entity texts of fixtures/python, as `codesearch index` embeds them: the texts the
// embedder and tokenizer tests feed both sides of a comparison.
import { readdirSync, readFileSync } from "node:fs";
import path from "node:path";
import { DEFAULT_MAX_CHUNK_CHARS, extractEntities, prepareChunks } from "../../src/extract/index.js";
import { PYTHON_FIXTURES_DIR } from "./temp-dirs.js";

/** Every entity text of fixtures/python's `.py` files, file by file in directory order. */
export async function fixtureTexts(): Promise<string[]> {
  const texts: string[] = [];
  for (const file of readdirSync(PYTHON_FIXTURES_DIR, { recursive: true, encoding: "utf8" }).filter((f) => f.endsWith(".py"))) {
    const { entities } = await extractEntities(file, readFileSync(path.join(PYTHON_FIXTURES_DIR, file), "utf8"));
    texts.push(...prepareChunks(entities, { maxChars: DEFAULT_MAX_CHUNK_CHARS }).map((c) => c.text));
  }
  return texts;
}
