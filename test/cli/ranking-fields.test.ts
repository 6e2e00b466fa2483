// Issue 18: the ranking stage's per-field lexical features read the candidates' text through the
// real search pipeline (a LanceDB table in a temp dir, the test model), and the symbol features
// (a name spelled as in the query, the kind asked for) lift the definition a question names.
import { mkdtemp, mkdir, rm, writeFile } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { SearchHitJson } from "../../src/model/search-result.js";
import { runCli } from "../support/run-cli.js";
import { TEST_MODEL_DIR } from "../support/temp-dirs.js";

let repo: string;

const TEXTS = `def normalize_text(value):
    """Strip accents from unicode text."""
    return value


def unicode_helpers(text, unicode, strip, accents):
    text = unicode + strip + accents + text
    unicode = text + unicode + strip
    strip = accents + text + unicode + strip
    return text + unicode + strip + accents
`;

const ROUTING = `class RulePart:
    """One piece of a rule."""

    def rule_part(self, rule):
        return rule


class Rule:
    """A URL rule."""

    def bind(self, rule_map):
        return rule_map


def rule_for(rule):
    return Rule()
`;

beforeAll(async () => {
  repo = await mkdtemp(path.join(os.tmpdir(), "codesearch-fields-"));
  await mkdir(path.join(repo, "pkg"));
  await writeFile(path.join(repo, "pkg", "texts.py"), TEXTS);
  await writeFile(path.join(repo, "pkg", "routing.py"), ROUTING);
  const index = await runCli(["index", "--model", TEST_MODEL_DIR], { cwd: repo });
  expect(index.code).toBe(0);
});

afterAll(async () => {
  await rm(repo, { recursive: true, force: true });
});

async function search(query: string, weights: Record<string, number>, ...args: string[]): Promise<SearchHitJson[]> {
  const file = path.join(repo, `ranker-${Object.keys(weights).join("-")}.json`);
  await writeFile(file, JSON.stringify({ weights, stages: [], fileRepeatPenalty: 0, priorVectorWeight: 0 }));
  const result = await runCli(["search", query, "--json", "-n", "5", "--mode", "lexical", "--ranker", file, ...args], { cwd: repo });
  expect(result.stderr).toBe("");
  expect(result.code).toBe(0);
  return (JSON.parse(result.stdout) as { results: SearchHitJson[] }).results;
}

describe("per-field lexical features", () => {
  it("the docstring field lifts the entity whose docstring says what the query asks, over one that repeats its words in code", async () => {
    const query = "strip accents from unicode text";
    // BM25 over the whole entity prefers the body that repeats every word.
    expect((await search(query, { lexical: 1 }))[0]!.qualname).toBe("unicode_helpers");
    const hits = await search(query, { lexical: 0.01, fieldDocstring: 1 }, "--explain");
    expect(hits[0]!.qualname).toBe("normalize_text");
    expect(hits[0]!.explain!.features.fieldDocstring).toBeGreaterThan(0);
    expect(hits.find((hit) => hit.qualname === "unicode_helpers")!.explain!.features.fieldDocstring).toBe(0);
    // The body field sees the code's words: there the helper leads again.
    expect((await search(query, { lexical: 0.01, fieldBody: 1 }))[0]!.qualname).toBe("unicode_helpers");
  });
});

describe("symbol features", () => {
  it("`where is the Rule class`: the class spelled as in the query, not RulePart or a function using rules", async () => {
    const weights = { lexical: 1, nameToken: 1, kindMatch: 0.3 };
    const hits = await search("where is the Rule class", weights, "--explain");
    expect(hits[0]).toMatchObject({ qualname: "Rule", kind: "class" });
    expect(hits[0]!.explain!.features).toMatchObject({ nameToken: 1, kindMatch: 1 });
    expect(hits.find((hit) => hit.qualname === "RulePart")!.explain!.features.nameToken).toBe(0);
  });
});
