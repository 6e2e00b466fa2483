// Issue 18's dev sets (devsets/python/*.jsonl) keep the shape `codesearch eval` and the harness
// read, and the harness's bootstrap gives the intervals worked out by hand.
import { readFileSync, readdirSync } from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { bootstrapMeanOfGroups, pairedBootstrap } from "../../scripts/devsets/bootstrap.mjs";
import { PROJECT_ROOT } from "../support/temp-dirs.js";

const DEVSETS = path.join(PROJECT_ROOT, "devsets", "python");
const HELD_OUT = ["aiohttp", "fastapi", "flask", "httpx", "model2vec", "pydantic", "requests", "starlette", "click"];

interface Answer {
  file: string;
  qualname?: string;
  start_line?: number;
  end_line?: number;
}
interface Question {
  id: string;
  query: string;
  category: string;
  relevant: Answer[];
}

const libraries = readdirSync(DEVSETS).filter((f) => f.endsWith(".jsonl")).map((f) => f.replace(/\.jsonl$/, ""));
const questions = new Map(libraries.map((lib) => [lib, readFileSync(path.join(DEVSETS, `${lib}.jsonl`), "utf8").trim().split("\n").map((l) => JSON.parse(l) as Question)]));

describe("the Python dev sets", () => {
  it("hold at least 150 questions over at least 6 libraries, none held out, each with its source recorded", () => {
    expect(libraries.length).toBeGreaterThanOrEqual(6);
    expect([...questions.values()].flat().length).toBeGreaterThanOrEqual(150);
    const sources = readFileSync(path.join(DEVSETS, "SOURCES.md"), "utf8");
    for (const lib of libraries) {
      expect(HELD_OUT).not.toContain(lib);
      expect(sources).toMatch(new RegExp(`^\\| ${lib} \\| python3-`, "m"));
    }
  });

  it.each(libraries)("%s: unique ids, the three categories, file answers without lines and span answers with them, paths inside the library", (lib) => {
    const rows = questions.get(lib)!;
    expect(new Set(rows.map((q) => q.id)).size).toBe(rows.length);
    expect(new Set(rows.map((q) => q.category))).toEqual(new Set(["architecture", "semantic", "symbol"]));
    for (const q of rows) {
      expect(q.query.trim()).not.toBe("");
      expect(q.relevant.length).toBeGreaterThan(0);
      for (const answer of q.relevant) {
        expect(answer.file).toMatch(/^[a-z]\w*\/[\w/]+\.py$/);
        if (answer.qualname === undefined) expect(Object.keys(answer)).toEqual(["file"]);
        else expect(answer.end_line).toBeGreaterThanOrEqual(answer.start_line!);
      }
      if (q.category === "architecture") expect(q.relevant.every((a) => a.qualname === undefined)).toBe(true);
      else expect(q.relevant.every((a) => a.qualname !== undefined)).toBe(true);
    }
  });
});

describe("bootstrapMeanOfGroups and pairedBootstrap", () => {
  it("a constant sample has a zero-width interval at its value", () => {
    expect(bootstrapMeanOfGroups([[0.5, 0.5, 0.5]])).toEqual({ value: 0.5, low: 0.5, high: 0.5 });
  });

  it("macro: the mean of the group means, not of the pooled queries", () => {
    // Group means 1 and 0.25: macro 0.625, while the 5 pooled queries average 0.4.
    const ci = bootstrapMeanOfGroups([[1], [0, 0, 0, 1]]);
    expect(ci.value).toBeCloseTo(0.625, 12);
    expect(ci.low).toBeGreaterThanOrEqual(0.5);
    expect(ci.high).toBeLessThanOrEqual(1);
    expect(ci.low).toBeLessThan(ci.value);
  });

  it("is seeded: the same inputs give the same interval, another seed another one", () => {
    const sample = [[0, 1, 0, 1, 1, 0, 0.5, 0.25]];
    expect(bootstrapMeanOfGroups(sample)).toEqual(bootstrapMeanOfGroups(sample));
    expect(bootstrapMeanOfGroups(sample, { seed: 7 })).not.toEqual(bootstrapMeanOfGroups(sample));
  });

  it("pairs: identical runs differ by exactly 0, a uniform gain by that gain", () => {
    expect(pairedBootstrap([[[0.2, 0.2], [1, 1]]])).toEqual({ value: 0, low: 0, high: 0 });
    const gain = pairedBootstrap([[[0, 0.1], [0.5, 0.6], [0.2, 0.3]]]);
    expect(gain.value).toBeCloseTo(0.1, 12);
    expect(gain.low).toBeCloseTo(0.1, 12);
    expect(gain.high).toBeCloseTo(0.1, 12);
  });

  it("ignores empty groups and gives NaN for no queries", () => {
    expect(bootstrapMeanOfGroups([[], [1, 1]]).value).toBe(1);
    expect(bootstrapMeanOfGroups([[]]).value).toBeNaN();
  });
});
