import { describe, expect, it } from "vitest";
import { dottedTailMatch, kindMatch, moduleWords, nameTokenMatch, stemShare, symbolTraits } from "../../src/rank/symbol-evidence.js";

describe("symbolTraits", () => {
  it.each([
    { query: "where is the Rule class", nameTokens: ["Rule"], kindWanted: "type", dotted: [] },
    { query: "Headers class", nameTokens: ["Headers"], kindWanted: "type", dotted: [] },
    { query: "where is the pass_context decorator defined", nameTokens: ["pass_context"], kindWanted: "callable", dotted: [] },
    { query: "MapAdapter.match", nameTokens: ["MapAdapter"], kindWanted: null, dotted: [["MapAdapter", "match"]] },
    { query: "format a number as a percentage", nameTokens: [], kindWanted: null, dotted: [] },
    { query: "redirect", nameTokens: ["redirect"], kindWanted: null, dotted: [] },
  ] as const)("$query", ({ query, ...expected }) => {
    expect(symbolTraits(query)).toEqual(expected);
  });
});

describe("nameTokenMatch and kindMatch", () => {
  const traits = symbolTraits("where is the Rule class");
  it("matches a name spelled as in the query, case included", () => {
    expect(nameTokenMatch("Rule", traits)).toBe(true);
    expect(nameTokenMatch("RulePart", traits)).toBe(false);
    expect(nameTokenMatch("rule", traits)).toBe(false);
  });
  it("matches the kind the query asks for, and nothing when it asks for none", () => {
    expect(kindMatch("class", traits)).toBe(true);
    expect(kindMatch("method", traits)).toBe(false);
    expect(kindMatch("function", symbolTraits("the redirect function"))).toBe(true);
    expect(kindMatch("class", symbolTraits("redirect to a url"))).toBe(false);
  });
});

describe("dottedTailMatch", () => {
  const traits = symbolTraits("MapAdapter.match");
  it("names the method of the owner, not the owner class the exact-name side also finds", () => {
    expect(dottedTailMatch({ name: "match", parentQualifiedName: "MapAdapter", path: "werkzeug/routing/map.py" }, traits)).toBe(true);
    expect(dottedTailMatch({ name: "MapAdapter", parentQualifiedName: null, path: "werkzeug/routing/map.py" }, traits)).toBe(false);
    expect(dottedTailMatch({ name: "match", parentQualifiedName: "Rule", path: "werkzeug/routing/rules.py" }, traits)).toBe(false);
  });
  it("takes a module as the owner: `attrs.define` is `define` in attr/_next_gen.py's package", () => {
    expect(dottedTailMatch({ name: "define", parentQualifiedName: null, path: "attr/_next_gen.py" }, symbolTraits("attrs.define"))).toBe(true);
    expect(dottedTailMatch({ name: "define", parentQualifiedName: null, path: "babel/core.py" }, symbolTraits("attrs.define"))).toBe(false);
  });
});

describe("moduleWords and stemShare", () => {
  it("is the file name, or the package folder of an __init__ file", () => {
    expect(moduleWords("jinja2/filters.py")).toEqual(["filters"]);
    expect(moduleWords("babel/localtime/__init__.py")).toEqual(["localtime"]);
    expect(moduleWords("werkzeug/_reloader.py")).toEqual(["_reloader", "reloader"]);
  });
  it("counts the query's words whose stem is the module's", () => {
    expect(stemShare(["built", "template", "filter"], moduleWords("jinja2/filters.py"))).toBeCloseTo(1 / 3);
    expect(stemShare(["compiled", "template"], moduleWords("jinja2/compiler.py"))).toBeCloseTo(1 / 2);
    expect(stemShare([], ["x"])).toBe(0);
  });
});
