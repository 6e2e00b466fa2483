// A repository with Go, TypeScript and Python beside generated code: every language is indexed,
// `status` counts them, `search --lang` filters, JSON hits carry the language, and generated files
// are skipped and reported.
import { cp, mkdir, mkdtemp, rm, writeFile } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { SearchHitJson } from "../../src/model/search-result.js";
import type { SearchToolResult } from "../../src/serve/search-tool.js";
import { connectMcp } from "../support/mcp-client.js";
import { runCli } from "../support/run-cli.js";
import { PROJECT_ROOT, TEST_MODEL_DIR } from "../support/temp-dirs.js";

let repo: string;
let indexRun: { code: number | null; stdout: string; stderr: string };

beforeAll(async () => {
  repo = await mkdtemp(path.join(os.tmpdir(), "codesearch-mixed-"));
  await cp(path.join(PROJECT_ROOT, "fixtures", "go"), path.join(repo, "go"), { recursive: true });
  await cp(path.join(PROJECT_ROOT, "fixtures", "typescript"), path.join(repo, "web"), { recursive: true });
  await writeFile(path.join(repo, "tool.py"), 'def run_command(name):\n    """Run the named command."""\n    return name\n');
  // An extensionless script, indexed as Python by its `#!` line.
  await writeFile(path.join(repo, "deploy"), '#!/usr/bin/env python3\ndef deploy_all():\n    """Deploy every service."""\n    return 0\n');
  await mkdir(path.join(repo, "web", "dist"));
  await writeFile(path.join(repo, "web", "dist", "cart.js"), "function bundled() {}\n");
  await writeFile(path.join(repo, "web", "app.min.js"), "function minified(){}\n");
  indexRun = await runCli(["index", "--model", TEST_MODEL_DIR], { cwd: repo });
});

afterAll(async () => {
  await rm(repo, { recursive: true, force: true });
});

async function search(...args: string[]): Promise<SearchHitJson[]> {
  const result = await runCli(["search", "run the command", "--json", "-n", "50", ...args], { cwd: repo });
  expect(result.code).toBe(0);
  return (JSON.parse(result.stdout) as { results: SearchHitJson[] }).results;
}

describe("a repository in several languages", () => {
  it("indexes every language and reports generated code as skipped", () => {
    expect(indexRun.code).toBe(0);
    expect(indexRun.stdout + indexRun.stderr).toContain("web/dist/ (generated or vendored code)");
    expect(indexRun.stdout + indexRun.stderr).toContain("web/app.min.js (generated or vendored code)");
  });

  it("status counts files and entities per language", async () => {
    const status = await runCli(["status", "--json"], { cwd: repo });
    const { languages } = JSON.parse(status.stdout) as { languages: { language: string; files: number; entities: number }[] };
    expect(languages).toEqual([
      { language: "typescript", files: 3, entities: 16 },
      { language: "go", files: 2, entities: 10 },
      { language: "python", files: 2, entities: 2 },
    ]);
    const text = await runCli(["status"], { cwd: repo });
    expect(text.stdout).toContain("languages typescript 3 files 16 entities, go 2 files 10 entities, python 2 files 2 entities");
  });

  it("search --lang keeps one language, JSON hits name it, and an unknown language is a usage error", async () => {
    const all = await search("--mode", "lexical");
    expect(new Set(all.map((hit) => hit.language))).toEqual(new Set(["go", "typescript", "python"]));
    const go = await search("--lang", "go");
    expect(go.length).toBeGreaterThan(0);
    expect(go.every((hit) => hit.language === "go" && hit.file.endsWith(".go"))).toBe(true);
    const two = await search("--lang", "go", "--lang", "python", "--mode", "lexical");
    expect(new Set(two.map((hit) => hit.language))).toEqual(new Set(["go", "python"]));
    expect((await runCli(["search", "x", "--lang", "cobol"], { cwd: repo })).code).toBe(2);
  });
});

describe("the MCP search tool in a repository of several languages", () => {
  it("accepts languages, answers with each hit's language, and refuses an unknown one", async () => {
    const { client } = await connectMcp([], { cwd: repo });
    const answer = await client.callTool({ name: "search", arguments: { query: "run the command", languages: ["go"], limit: 20 } });
    const { results } = answer.structuredContent as SearchToolResult;
    expect(results.length).toBeGreaterThan(0);
    expect(results.every((hit) => hit.language === "go")).toBe(true);
    const refused = await client.callTool({ name: "search", arguments: { query: "x", languages: ["cobol"] } });
    expect(refused.isError).toBe(true);
  });
});
