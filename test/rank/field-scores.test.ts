import { describe, expect, it } from "vitest";
import { type FieldTexts, fieldScores, wordStem } from "../../src/rank/field-scores.js";

describe("wordStem", () => {
  it.each([
    [["compiled", "compiler", "compile"], "compil"],
    [["converters", "convert", "converted"], "conver"],
    [["filters", "filter", "filtered"], "filt"],
    [["parsing", "parser", "parse", "parsed"], "pars"],
  ])("%j share the stem %s", (words, stem) => {
    for (const word of words) expect(wordStem(word)).toBe(stem);
  });

  it("keeps short words whole and never cuts below 3 characters", () => {
    expect(wordStem("set")).toBe("set");
    expect(wordStem("ring")).toBe("ring");
    expect(wordStem("request")).not.toBe(wordStem("requirement").slice(0, 3));
  });
});

const candidate = (qualifiedName: string, path: string, docstring: string | null, source = `def ${qualifiedName}(): pass`): FieldTexts => ({
  qualifiedName,
  path,
  text: { signature: `def ${qualifiedName}()`, docstring, source },
});

describe("fieldScores", () => {
  const pool = [
    candidate("do_truncate", "jinja2/filters.py", "Return a truncated copy of the string with an ellipsis."),
    candidate("do_wordwrap", "jinja2/filters.py", "Wrap a string to the given width."),
    candidate("Environment.get_template", "jinja2/environment.py", "Load a template by name; the string is its name."),
  ];

  it("scores each field apart: the docstring holding the query's words leads the docstring field", () => {
    const scores = fieldScores(pool, ["truncate", "string", "ellipsis"]);
    expect(scores[0]!.docstring).toBeGreaterThan(scores[1]!.docstring);
    expect(scores[0]!.docstring).toBeGreaterThan(scores[2]!.docstring);
    // `truncate` is in the name (do_truncate) as a stem; the others' names hold none of the words.
    expect(scores[0]!.name).toBeGreaterThan(0);
    expect(scores[1]!.name).toBe(0);
    for (const v of scores.flatMap((s) => Object.values(s))) {
      expect(v).toBeGreaterThanOrEqual(0);
      expect(v).toBeLessThanOrEqual(1);
    }
  });

  it("weighs a word by its rarity in the pool: `string` (in every docstring) counts less than `width` (in one)", () => {
    const [, wrap, template] = fieldScores(pool, ["string", "width"]);
    expect(wrap!.docstring).toBeGreaterThan(template!.docstring);
    // do_truncate holds only the common word, do_wordwrap only the rare one.
    const [truncate, wordwrap] = fieldScores(pool, ["string", "width"]).map((s) => s.docstring);
    expect(fieldScores(pool.slice(0, 1), ["string"])[0]!.docstring).toBeGreaterThan(0);
    expect(wordwrap!).toBeGreaterThan(0);
    expect(truncate!).toBeGreaterThan(0);
  });

  it("matches the path's words (module and folders) and scores 0 for text that was not read", () => {
    const unread: FieldTexts[] = pool.map(({ qualifiedName, path }) => ({ qualifiedName, path, text: undefined }));
    const scores = fieldScores(unread, ["filters"]);
    expect(scores[0]!.path).toBeGreaterThan(0);
    expect(scores[2]!.path).toBe(0);
    expect(scores.every((s) => s.docstring === 0 && s.signature === 0 && s.body === 0)).toBe(true);
    expect(fieldScores(pool, [])).toEqual(pool.map(() => ({ name: 0, signature: 0, docstring: 0, body: 0, path: 0 })));
  });

  it("scores only the fields asked for (a ranker pays for the fields it weighs), the others 0", () => {
    const all = fieldScores(pool, ["truncate", "string"]);
    const some = fieldScores(pool, ["truncate", "string"], ["docstring"]);
    expect(some.map((s) => s.docstring)).toEqual(all.map((s) => s.docstring));
    expect(some.every((s) => s.name === 0 && s.body === 0 && s.path === 0 && s.signature === 0)).toBe(true);
    expect(all[0]!.body).toBeGreaterThan(0);
  });
});
