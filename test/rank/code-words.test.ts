import { describe, expect, it } from "vitest";
import { expandAbbreviations } from "../../src/rank/code-abbreviations.js";
import { codeWords, splitIdentifier } from "../../src/rank/code-words.js";
import { lexicalQuery, lexicalText } from "../../src/rank/lexical-text.js";
import type { CodeEntity } from "../../src/model/types.js";

describe("splitIdentifier", () => {
  it.each([
    ["parseHTTPHeader2", ["parse", "http", "header", "2"]],
    ["parse_http_header", ["parse", "http", "header"]],
    ["ParseHttpHeader", ["parse", "http", "header"]],
    ["HTTPServer", ["http", "server"]],
    ["getURL", ["get", "url"]],
    ["utf8_decode", ["utf", "8", "decode"]],
    ["md5sum", ["md", "5", "sum"]],
    ["__init__", ["init"]],
    ["_private", ["private"]],
    ["MAX_RETRY_COUNT", ["max", "retry", "count"]],
    ["x", ["x"]],
    ["v2", ["v", "2"]],
    ["2fa", ["2", "fa"]],
    ["größeBerechnen", ["größe", "berechnen"]],
    ["ÉtatInitial", ["état", "initial"]],
    ["__", []],
    ["", []],
  ])("%j → %j", (identifier, parts) => {
    expect(splitIdentifier(identifier)).toEqual(parts);
  });
});

describe("codeWords", () => {
  it.each([
    ["parseHTTPHeader2", "parsehttpheader2 parse http header 2"],
    ["def parse_http_header(raw: bytes) -> dict:", "def parse_http_header parse http header raw bytes dict"],
    ["self.max_size = 10", "self max_size max size 10"],
    ["Retry the request.", "retry the request"],
    ["a + b == __", "a b"],
    ["", ""],
  ])("%j → %j", (text, words) => {
    expect(codeWords(text)).toBe(words);
  });
});

describe("expandAbbreviations", () => {
  it.each([
    ["get dir str", "get dir directory str string"],
    ["read file", "read file"],
    ["", ""],
  ])("%j → %j", (words, expanded) => {
    expect(expandAbbreviations(words)).toBe(expanded);
  });
});

describe("lexicalQuery", () => {
  it.each([
    ["python read csv file", "read csv file"],
    ["how to parseHTTPHeader in Python 3", "how to parsehttpheader parse http header in 3"],
    ["python", ""],
    ["?!", ""],
  ])("%j → %j", (query, words) => {
    expect(lexicalQuery(query)).toBe(words);
  });
});

describe("lexicalText", () => {
  it("puts name, decorators, signature and docstring in the head, the source in the body, and the name in the trigram text", () => {
    const entity: CodeEntity = {
      path: "pkg/io.py",
      language: "python",
      kind: "method",
      name: "readDir",
      qualifiedName: "Store.readDir",
      parentQualifiedName: "Store",
      startLine: 3,
      endLine: 5,
      decoratorLine: 2,
      decorators: ["@cached"],
      signature: "def readDir(self, src)",
      docstring: "List a folder.",
      source: 'def readDir(self, src):\n    """List a folder."""\n    return os.listdir(src)',
    };
    expect(lexicalText(entity)).toEqual({
      head: "store readdir read dir directory cached def readdir read dir directory self src source list a folder",
      body: "def readdir read dir directory self src source list a folder return os listdir src source",
      nameGrams: "sto tor ore re| e|r |re rea ead add ddi dir ir| r|r |re rea ead ad| d|d |di dir",
    });
  });
});
