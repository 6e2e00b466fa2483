import { describe, expect, it } from "vitest";
import { characterTrigrams } from "../../src/rank/character-trigrams.js";

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
