import { writeFile } from "node:fs/promises";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { runCli } from "../support/run-cli.js";
import { TEST_MODEL_DIR, makeTempDir } from "../support/temp-dirs.js";

const SOURCE = `def paint_warning(text):
    """Colour a warning red for the terminal."""
    prefix = "\x1b[31m"
    reset = "\x1b[0m\x1b]0;owned\x07"
    return prefix + text + reset
`;

describe("codesearch search --context", () => {
  it("shows numbered lines around the best-matching line, marks it, and escapes control characters", async () => {
    const repo = await makeTempDir();
    await writeFile(path.join(repo, "paint.py"), SOURCE);
    expect((await runCli(["index", "--model", TEST_MODEL_DIR], { cwd: repo })).code).toBe(0);
    const result = await runCli(["search", "reset owned", "--context", "1", "-n", "1"], { cwd: repo });
    expect(result.code).toBe(0);
    expect([...result.stdout].filter((c) => c !== "\n" && (c < " " || c === "\x7f"))).toEqual([]);
    expect(result.stdout.split("\n")).toEqual([
      expect.stringMatching(/^paint\.py:1-5 {2}paint_warning {2}\(function\) {2}[\d.]+$/),
      "    3      prefix = \"\\x1b[31m\"",
      "  > 4      reset = \"\\x1b[0m\\x1b]0;owned\\x07\"",
      "    5      return prefix + text + reset",
      "",
      "",
    ]);
  });
});
