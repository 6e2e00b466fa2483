// `codesearch mcp` and `watch` as a new user meets them on a repository without an index (issue 22,
// defect 3): a model to choose, the CLI's advice when none loads, a usage error for a wrong folder.
import path from "node:path";
import { describe, expect, it } from "vitest";
import { connectMcp } from "../support/mcp-client.js";
import { runCli } from "../support/run-cli.js";
import { PYTHON_FIXTURES_DIR, copyCommittedTree, makeTempDir } from "../support/temp-dirs.js";

type ToolAnswer = { isError?: boolean; content: { type: string; text: string }[] };

async function unindexedRepo(): Promise<string> {
  const repo = path.join(await makeTempDir(), "repo");
  await copyCommittedTree(PYTHON_FIXTURES_DIR, repo);
  return repo;
}

describe("codesearch mcp on a repository without an index", () => {
  it("reindex answers with the CLI's advice when the model cannot be had", { timeout: 60_000 }, async () => {
    const repo = await unindexedRepo();
    const { client } = await connectMcp([".", "--offline"], { cwd: repo });
    const answer = (await client.callTool({ name: "reindex", arguments: {} })) as ToolAnswer;
    expect(answer.isError).toBe(true);
    const text = answer.content[0]!.text;
    expect(text).toContain("reindex failed (model-load)");
    expect(text).toContain("--model codesearch-small   the model shipped with codesearch (no download)");
    expect(text).toContain("codesearch mcp takes --model");
  });

  it("--model chooses the model reindex builds with", { timeout: 60_000 }, async () => {
    const repo = await unindexedRepo();
    const { client } = await connectMcp([".", "--model", "codesearch-small", "--offline"], { cwd: repo });
    const answer = (await client.callTool({ name: "reindex", arguments: {} }, undefined, { timeout: 50_000 })) as ToolAnswer;
    expect(answer.isError, answer.content[0]?.text).toBeFalsy();
    const status = await runCli(["status", "--json"], { cwd: repo });
    expect(JSON.parse(status.stdout)).toMatchObject({ modelId: "codesearch-small" });
  });

  it("a folder that does not exist is a usage error, not a server", async () => {
    const run = await runCli(["mcp", "does-not-exist"], { cwd: await makeTempDir() });
    expect(run.code).toBe(2);
    expect(run.stderr).toMatch(/cannot serve .*does-not-exist: no such directory/);
  });

  it("--help shows the installed command and the clone's, never npx", async () => {
    const run = await runCli(["mcp", "--help"], { cwd: await makeTempDir() });
    expect(run.stdout).not.toContain("npx");
    expect(run.stdout).toContain("claude mcp add codesearch -- codesearch mcp /path/to/repo");
    expect(run.stdout).toContain("bin/codesearch.js mcp /path/to/repo");
  });
});

describe("codesearch watch on a repository without an index", () => {
  it("stops with the index command's error and advice when the first run fails, never claiming an index", { timeout: 60_000 }, async () => {
    const repo = await unindexedRepo();
    const run = await runCli(["watch", "."], { cwd: repo, env: { CODESEARCH_OFFLINE: "1" } });
    expect(run.code).toBe(4);
    expect(run.stderr).not.toContain("last committed index");
    expect(run.stderr).toContain("--model codesearch-small");
  });
});
