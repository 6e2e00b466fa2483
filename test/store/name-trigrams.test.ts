// The name column's trigrams, cut by characterTrigrams and indexed with the whitespace tokenizer,
// must find the same entities as LanceDB's own 3-to-3 n-gram tokenizer over the words did (the
// layout of schema version 3), best first alike. Scores may differ a little: LanceDB's ngram index
// does not normalise by the trigram count exactly as BM25 over words does (CoSQA MRR@10 is the
// same either way, BENCHMARKS.md).
import { BooleanQuery, Index, MatchQuery, Occur, connect } from "@lancedb/lancedb";
import { describe, expect, it } from "vitest";
import type { EmbeddedChunk } from "../../src/model/types.js";
import { characterTrigrams, codeWords } from "../../src/rank/index.js";
import {
  FULL_TEXT_INDEXES,
  SEARCH_NAME_GRAMS_COLUMN,
  applyEntityChanges,
  openDatabase,
  refreshSearchIndexes,
  searchEntitiesByText,
} from "../../src/store/index.js";
import { makeTempDir } from "../support/temp-dirs.js";

/** A one-line function entity of `name` in `file`, with a constant 4-d vector. */
function entity(file: string, name: string): EmbeddedChunk {
  const source = `def ${name}():\n    pass`;
  return {
    id: `${file}:1:${name}`, path: file, language: "python", kind: "function", name, qualifiedName: name, parentQualifiedName: null, startLine: 1, endLine: 2,
    decoratorLine: null, decorators: [], signature: `def ${name}()`, docstring: null, source, text: source, contentHash: name,
    vector: Float32Array.from([0.5, 0.5, 0.5, 0.5]),
  };
}

const NAMES = ["Store.readDir", "read_directory", "iter_lines", "is_iterable_but_not_string", "Reader.read", "parse_http_header", "HTTPHeaders.parse", "dirname", "x", "readme_reader_reading"];
const QUERIES = ["read dir", "iterable", "parse header", "http", "readme", "rea", "directory reader", "is iter"];

describe("name trigrams as words", () => {
  it("match the entities LanceDB's ngram tokenizer matched, with the same best hit", async () => {
    const db = await connect(await makeTempDir());
    const rows = NAMES.map((name, i) => ({ id: `e${i}`, words: codeWords(name), trigrams: characterTrigrams(codeWords(name)) }));
    const table = await db.createTable("names", rows);
    await table.createIndex("words", { config: Index.fts({ baseTokenizer: "ngram", ngramMinLength: 3, ngramMaxLength: 3, lowercase: true, withPosition: false }) });
    const trigramOptions = FULL_TEXT_INDEXES.find((i) => i.column === SEARCH_NAME_GRAMS_COLUMN)!.options;
    await table.createIndex("trigrams", { config: Index.fts(trigramOptions) });
    const scores = async (query: MatchQuery) => {
      const hits = (await table.query().fullTextSearch(new BooleanQuery([[Occur.Should, query]])).select(["id", "_score"]).limit(50).toArray()) as { id: string; _score: number }[];
      return new Map(hits.map((h) => [h.id, h._score]));
    };
    for (const query of QUERIES) {
      const words = codeWords(query);
      const ngram = await scores(new MatchQuery(words, "words"));
      const ours = await scores(new MatchQuery(characterTrigrams(words), "trigrams"));
      expect(ngram.size, query).toBeGreaterThan(0);
      expect([...ours.keys()].sort(), query).toEqual([...ngram.keys()].sort());
      const best = (scored: Map<string, number>) => [...scored].sort((a, b) => b[1] - a[1])[0]![0];
      expect(best(ours), query).toBe(best(ngram));
    }
    table.close();
    db.close();
  });
});

describe("searchEntitiesByText over the name trigrams", () => {
  it("finds a name by a part no word index holds, and answers a query too short for a trigram", async () => {
    const db = await openDatabase(await makeTempDir());
    const names = ["is_iterable_but_not_string", "iter_lines", "io_read", "parse_header"];
    await applyEntityChanges(db, { deletePaths: [], add: names.map((name) => entity(`${name}.py`, name)) }, 4);
    await refreshSearchIndexes(db);
    // `iterab` is no word of any entity; its trigrams meet `iterable` most, `iter_lines` less.
    expect((await searchEntitiesByText(db, "iterab", 10)).map((hit) => hit.chunk.name)).toEqual(["is_iterable_but_not_string", "iter_lines"]);
    expect((await searchEntitiesByText(db, "io", 10)).map((hit) => hit.chunk.name)).toEqual(["io_read"]);
    db.close();
  });
});
