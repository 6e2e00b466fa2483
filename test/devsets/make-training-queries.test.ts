// scripts/devsets/make-training-queries.mjs on a small library of its own: every kind of question,
// the blanked corpus copy (same lines, no docstring of an answer), and the refusal of a dev-set library.
import { spawnSync } from "node:child_process";
import { mkdir, readFile, writeFile } from "node:fs/promises";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { PROJECT_ROOT, makeTempDir } from "../support/temp-dirs.js";

const SOURCE = `"""Toy helpers for parsing configuration files and values."""


class ConfigParser:
    """Read settings from an ini style configuration file."""

    def get_value(self, key):
        """Return the value stored under the given key."""
        return key


def parse_size(text):
    """Turn a human size like 10kB into a number of bytes."""
    return int(text)
`;

function makeQueries(args: string[]) {
  return spawnSync(process.execPath, [path.join(PROJECT_ROOT, "scripts", "devsets", "make-training-queries.mjs"), ...args], { encoding: "utf8" });
}

describe("make-training-queries", () => {
  it("makes docstring, identifier and module questions and blanks the answers' docstrings without moving lines", async () => {
    const dir = await makeTempDir();
    await mkdir(path.join(dir, "corpus", "toylib", "toylib"), { recursive: true });
    await writeFile(path.join(dir, "corpus", "toylib", "toylib", "config.py"), SOURCE);
    const run = makeQueries(["--libraries", "toylib", "--corpus", path.join(dir, "corpus"), "--out", path.join(dir, "out")]);
    expect(run.stderr).toContain("toylib: 1 architecture, 3 semantic, 3 symbol questions");
    expect(run.status).toBe(0);
    const questions = (await readFile(path.join(dir, "out", "toylib.jsonl"), "utf8")).trim().split("\n").map((l) => JSON.parse(l) as { category: string; source: string; query: string; relevant: { file: string; qualname?: string; start_line?: number }[] });
    const file = "toylib/config.py";
    expect(questions.filter((q) => q.category === "architecture")).toEqual([
      expect.objectContaining({ source: "module-docstring", query: "Toy helpers for parsing configuration files and values.", relevant: [{ file }] }),
    ]);
    const semantic = questions.filter((q) => q.category === "semantic").map((q) => [q.query, q.relevant[0]!.qualname, q.relevant[0]!.start_line]);
    expect(semantic.sort()).toEqual([
      ["Read settings from an ini style configuration file.", "ConfigParser", 4],
      ["Return the value stored under the given key.", "ConfigParser.get_value", 7],
      ["Turn a human size like 10kB into a number of bytes.", "parse_size", 12],
    ]);
    const symbol = questions.filter((q) => q.category === "symbol");
    expect(symbol.map((q) => q.relevant[0]!.qualname).sort()).toEqual(["ConfigParser", "ConfigParser.get_value", "parse_size"]);
    for (const q of symbol) expect(q.query).toContain(q.relevant[0]!.qualname!.split(".").pop());
    const blanked = await readFile(path.join(dir, "out", "toylib", "corpus", file), "utf8");
    expect(blanked.split("\n").length).toBe(SOURCE.split("\n").length);
    expect(blanked).not.toContain('"""');
    expect(blanked.split("\n")[11]).toBe("def parse_size(text):");
    expect(blanked.split("\n")[12]).toBe("    ...");
  });

  it("refuses a library that has a dev set", () => {
    const run = makeQueries(["--libraries", "jinja2"]);
    expect(run.status).toBe(2);
    expect(run.stderr).toContain("jinja2 is in the dev set");
  });
});
