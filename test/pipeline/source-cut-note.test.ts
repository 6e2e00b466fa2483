// An entity whose source is longer than the per-entity limit is indexed with a note, not a failure.
import { mkdir, writeFile } from "node:fs/promises";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { DEFAULT_EXTRACT_LIMITS } from "../../src/extract/index.js";
import { formatSummaryLines } from "../../src/report/index.js";
import { indexInProcess } from "../support/index-in-process.js";
import { makeTempDir } from "../support/temp-dirs.js";

describe("an entity longer than the per-entity source limit", () => {
  it("is indexed without a failure, and the summary says its stored source was cut", async () => {
    const repo = await makeTempDir("codesearch-source-cut-");
    await mkdir(path.join(repo, "pkg"));
    const methods = Array.from({ length: 900 }, (_, i) => `    def method_${i}(self, value):\n        """Return value plus ${i}, a long class's method."""\n        return value + ${i}  # ${"padding ".repeat(8)}\n`);
    const source = `class Huge:\n    """A class whose text is longer than the per-entity limit."""\n\n${methods.join("\n")}`;
    expect(source.length).toBeGreaterThan(DEFAULT_EXTRACT_LIMITS.maxSourceChars);
    await writeFile(path.join(repo, "pkg", "huge.py"), source);
    const { summary } = await indexInProcess(repo);
    expect(summary.failures).toEqual([]);
    expect(summary.entitySourcesCut).toEqual({ count: 1, maxChars: DEFAULT_EXTRACT_LIMITS.maxSourceChars });
    expect(summary.chunksStored).toBe(901);
    expect(formatSummaryLines(summary).join("\n")).toMatch(/1 entity's source stored to the first 100,000 characters/);
  });
});
