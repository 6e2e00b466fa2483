// The MCP `read` tool serves only files the index holds: real links, FIFOs and ignored files in temp repositories, driven by the SDK's client.
import { execFileSync } from "node:child_process";
import { mkdir, rename, rm, symlink, writeFile } from "node:fs/promises";
import path from "node:path";
import { describe, expect, it } from "vitest";
import type { SearchToolResult } from "../../src/serve/search-tool.js";
import { connectMcp } from "../support/mcp-client.js";
import { runCli } from "../support/run-cli.js";
import { TEST_MODEL_DIR, makeTempDir } from "../support/temp-dirs.js";

type ToolAnswer = { isError?: boolean; content: { type: string; text: string }[]; structuredContent?: unknown };

async function writeFiles(root: string, files: Record<string, string>): Promise<void> {
  for (const [file, text] of Object.entries(files)) {
    await mkdir(path.dirname(path.join(root, file)), { recursive: true });
    await writeFile(path.join(root, file), text);
  }
}

async function indexWithTestModel(repo: string): Promise<void> {
  const result = await runCli(["index", ".", "--model", TEST_MODEL_DIR, "--batch-size", "8"], { cwd: repo });
  expect(result.code, result.stderr).toBe(0);
}

describe("MCP read: only files the index holds", () => {
  it("refuses secrets, ignored and non-source files, index files, and every link, saying why", { timeout: 120_000 }, async () => {
    const repo = await makeTempDir();
    const outside = await makeTempDir();
    await writeFiles(outside, { "secret.py": "OUTSIDE_SECRET = 1\n", "mod.py": "def inner():\n    return 'OUTSIDE_MOD_SECRET'\n" });
    await writeFiles(repo, {
      "app.py": "def handler(event):\n    return event\n",
      "pkg/mod.py": "def inner():\n    return 1\n",
      "swapped.py": "def swapped():\n    return 2\n",
      ".env": "SECRET_TOKEN=ENV_SECRET\n",
      ".git/config": "[core]\n\tsecret = GIT_SECRET\n",
      ".gitignore": "ignored.py\n",
      "ignored.py": "IGNORED_SECRET = 1\n",
      "notpython.txt": "NOT_PYTHON_SECRET\n",
    });
    await symlink(path.join(outside, "secret.py"), path.join(repo, "passwd_link.py"));
    await symlink(path.join(repo, "app.py"), path.join(repo, "alias.py"));
    await symlink(outside, path.join(repo, "linkdir"));
    await indexWithTestModel(repo);
    // After indexing, an indexed file and an indexed folder become links that lead out of the repository.
    await rm(path.join(repo, "swapped.py"));
    await symlink(path.join(outside, "secret.py"), path.join(repo, "swapped.py"));
    await rename(path.join(repo, "pkg"), path.join(repo, "pkg-moved"));
    await symlink(outside, path.join(repo, "pkg"));

    const { client } = await connectMcp([], { cwd: repo });
    const read = async (args: Record<string, unknown>) => (await client.callTool({ name: "read", arguments: args })) as ToolAnswer;
    const shown = await read({ file: "app.py" });
    expect(shown.isError, shown.content[0]!.text).toBeFalsy();
    expect(shown.content[0]!.text).toContain("def handler(event):");

    const refused: [Record<string, unknown>, RegExp][] = [
      [{ file: ".env" }, /not a file the index holds/],
      [{ file: ".git/config" }, /not a file the index holds/],
      [{ file: "ignored.py" }, /not a file the index holds/],
      [{ file: "notpython.txt" }, /not a file the index holds/],
      [{ file: ".codesearch/manifest.json" }, /not a file the index holds/],
      [{ file: "passwd_link.py" }, /not a file the index holds/],
      [{ file: "alias.py", line: 1 }, /not a file the index holds/],
      [{ file: "linkdir/secret.py" }, /not a file the index holds/],
      [{ file: "swapped.py" }, /symbolic link that leads outside the repository/],
      [{ id: "swapped.py:1:swapped" }, /symbolic link that leads outside the repository/],
      [{ file: "pkg/mod.py" }, /symbolic link that leads outside the repository/],
      [{ file: path.relative(repo, path.join(outside, "secret.py")) }, /outside the indexed repository/],
      [{ file: path.join(outside, "secret.py") }, /outside the indexed repository/],
      [{ file: "/etc/passwd" }, /outside the indexed repository/],
      [{ file: "pkg-moved/../../etc/passwd" }, /outside the indexed repository/],
    ];
    for (const [args, reason] of refused) {
      const answer = await read(args);
      const text = answer.content[0]!.text;
      expect(answer.isError, `${JSON.stringify(args)}: ${text}`).toBe(true);
      expect(text, JSON.stringify(args)).toMatch(reason);
      expect(text).not.toMatch(/SECRET|root:/);
    }
  });

  it("refuses a FIFO, a link to /dev/zero and an oversized file without blocking, and keeps answering searches", { timeout: 120_000 }, async () => {
    const repo = await makeTempDir();
    await writeFiles(repo, {
      "app.py": "def handler(event):\n    return event\n",
      "fifo.py": "def from_fifo():\n    return 1\n",
      "zero.py": "def from_zero():\n    return 0\n",
      "big.py": "def grows():\n    return 3\n",
    });
    await indexWithTestModel(repo);
    await rm(path.join(repo, "fifo.py"));
    execFileSync("mkfifo", [path.join(repo, "fifo.py")]);
    await rm(path.join(repo, "zero.py"));
    await symlink("/dev/zero", path.join(repo, "zero.py"));
    await writeFile(path.join(repo, "big.py"), `def grows():\n    return 3\n${"# padding line\n".repeat(80_000)}`);

    const { client } = await connectMcp([], { cwd: repo });
    const read = async (args: Record<string, unknown>) => (await client.callTool({ name: "read", arguments: args })) as ToolAnswer;
    // Five in a row, then five at once: more than libuv's four file threads, so one blocked open would stall the rest.
    for (let i = 0; i < 5; i++) {
      const answer = await read({ file: "fifo.py" });
      expect(answer.isError).toBe(true);
      expect(answer.content[0]!.text).toMatch(/not a regular file/);
    }
    const together = await Promise.all(Array.from({ length: 5 }, () => read({ id: "fifo.py:1:from_fifo" })));
    for (const answer of together) expect(answer.content[0]!.text).toMatch(/not a regular file/);
    const zero = await read({ file: "zero.py" });
    expect(zero.isError).toBe(true);
    expect(zero.content[0]!.text).toMatch(/symbolic link that leads outside the repository/);
    const big = await read({ file: "big.py" });
    expect(big.isError).toBe(true);
    expect(big.content[0]!.text).toMatch(/over read's limit of 1048576 bytes/);

    const search = (await client.callTool({ name: "search", arguments: { query: "handler", mode: "lexical" } })) as ToolAnswer;
    expect(search.isError, search.content[0]!.text).toBeFalsy();
    expect((search.structuredContent as SearchToolResult).results.map((h) => h.qualname)).toContain("handler");
  });
});
