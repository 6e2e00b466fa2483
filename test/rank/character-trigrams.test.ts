import { describe, expect, it } from "vitest";
import { characterTrigrams, queryTrigrams } from "../../src/rank/character-trigrams.js";

describe("characterTrigrams", () => {
  it.each([
    ["read dir", "rea ead ad| d|d |di dir"],
    ["abc", "abc"],
    ["ab", ""],
    ["", ""],
    ["aaaa", "aaa aaa"],
    ["a b", "a|b"],
    ["ñandú x", "ñan and ndú dú| ú|x"],
    ["a😀bc", "a😀b 😀bc"],
  ])("%j → %j", (words, trigrams) => {
    expect(characterTrigrams(words)).toBe(trigrams);
  });
});

describe("queryTrigrams", () => {
  it("keeps each trigram once, in first-seen order", () => {
    expect(queryTrigrams("read read")).toBe("rea ead ad| d|r |re");
    expect(queryTrigrams("aaaa")).toBe("aaa");
    expect(queryTrigrams("ab")).toBe("");
  });
});
