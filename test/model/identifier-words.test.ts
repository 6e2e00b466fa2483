import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { identifierWords } from "../../src/model/identifier-words.js";

// The same cases scripts/train-model/test_model_text.py checks on the training side, so the text
// models/codesearch-small sees at search time is the text it was trained on.
const { cases } = JSON.parse(readFileSync(new URL("../../scripts/train-model/model-text-cases.json", import.meta.url), "utf8")) as {
  cases: [string, string][];
};

describe("identifierWords (split-identifiers text preparation)", () => {
  it("has shared cases to check", () => {
    expect(cases.length).toBeGreaterThan(10);
  });
  it.each(cases)("%j → %j", (text, words) => {
    expect(identifierWords(text)).toBe(words);
  });
});
