// What a command loads (issue 22): a search or an unchanged re-index never loads the model runtime,
// the tree-sitter runtime or Ink, `--version` not even LanceDB; and the bundle that bin/codesearch.js
// runs answers as dist/ does while loading a few dozen module files instead of hundreds.
import { execFile } from "node:child_process";
import { cp, mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import path from "node:path";
import { promisify } from "node:util";
import { describe, expect, it } from "vitest";
import { runCli } from "../support/run-cli.js";
import { PROJECT_ROOT, TEST_MODEL_DIR, makeTempDir } from "../support/temp-dirs.js";

const run = promisify(execFile);
const RECORDER = path.join(PROJECT_ROOT, "test", "support", "record-loaded-modules.mjs");
const HEAVY = ["onnxruntime-node", "@xenova/transformers", "web-tree-sitter", "node_modules/ink/", "node_modules/react/"];

/** Runs `codesearch <args>` in `repo` with the module recorder preloaded; returns its exit code and the modules it loaded. */
async function loadedBy(repo: string, args: string[]): Promise<{ code: number | null; stderr: string; modules: string[] }> {
  const out = path.join(await makeTempDir(), "modules.txt");
  const result = await runCli(args, { cwd: repo, env: { NODE_OPTIONS: `--import ${RECORDER}`, CODESEARCH_TEST_LOADED_MODULES: out } });
  const modules = (await readFile(out, "utf8")).split("\n").filter(Boolean);
  return { code: result.code, stderr: result.stderr, modules };
}

const heavyIn = (modules: string[]) => modules.filter((m) => HEAVY.some((name) => m.includes(name)));

describe("what each command loads", () => {
  it("--version loads no LanceDB; search --mode lexical and an unchanged re-index load no model runtime, grammar or Ink", { timeout: 120_000 }, async () => {
    const repo = await makeTempDir();
    await writeFile(path.join(repo, "mail.py"), 'def send_welcome_email(user):\n    """Send the welcome email."""\n    return user\n\n\nclass Mailer:\n    def deliver(self, message):\n        return message\n');
    // The first index parses: the recorder sees the tree-sitter runtime, so its absence below means something.
    const first = await loadedBy(repo, ["index", "--model", TEST_MODEL_DIR]);
    expect(first.code, first.stderr).toBe(0);
    expect(first.modules.some((m) => m.includes("web-tree-sitter"))).toBe(true);

    const version = await loadedBy(repo, ["--version"]);
    expect(version.code).toBe(0);
    expect(version.modules.filter((m) => m.includes("@lancedb"))).toEqual([]);
    expect(heavyIn(version.modules)).toEqual([]);

    const lexical = await loadedBy(repo, ["search", "welcome email", "--mode", "lexical", "--json"]);
    expect(lexical.code, lexical.stderr).toBe(0);
    expect(lexical.modules.some((m) => m.includes("@lancedb/lancedb"))).toBe(true);
    expect(heavyIn(lexical.modules)).toEqual([]);

    const unchanged = await loadedBy(repo, ["index", "--plain"]);
    expect(unchanged.code, unchanged.stderr).toBe(0);
    expect(unchanged.stderr).toMatch(/0 indexed, 1 unchanged of 1/);
    expect(heavyIn(unchanged.modules)).toEqual([]);
  });
});

describe("what a default search with codesearch-small loads", () => {
  it("no model runtime: the token table is read from the ONNX file; without the declaration, onnxruntime-node", { timeout: 180_000 }, async () => {
    const source = 'def send_welcome_email(user):\n    """Send the welcome email."""\n    return user\n';
    const declared = await makeTempDir();
    await writeFile(path.join(declared, "mail.py"), source);
    expect((await runCli(["index", "--model", "codesearch-small"], { cwd: declared })).code).toBe(0);
    const table = await loadedBy(declared, ["search", "welcome email", "--json"]);
    expect(table.code, table.stderr).toBe(0);
    expect(JSON.parse((await runCli(["search", "welcome email", "--json"], { cwd: declared })).stdout)).toMatchObject({ results: [{ qualname: "send_welcome_email" }] });
    expect(heavyIn(table.modules)).toEqual([]);

    const model = path.join(await makeTempDir(), "small-undeclared");
    await cp(path.join(PROJECT_ROOT, "models", "codesearch-small"), model, { recursive: true });
    await writeFile(path.join(model, "codesearch.json"), JSON.stringify({ textPreparation: "split-identifiers", batchSize: 64 }));
    const undeclared = await makeTempDir();
    await writeFile(path.join(undeclared, "mail.py"), source);
    expect((await runCli(["index", "--model", model], { cwd: undeclared })).code).toBe(0);
    const onnx = await loadedBy(undeclared, ["search", "welcome email", "--json"]);
    expect(onnx.code, onnx.stderr).toBe(0);
    expect(heavyIn(onnx.modules).length).toBeGreaterThan(0);
    expect(heavyIn(onnx.modules).every((m) => m.includes("onnxruntime-node"))).toBe(true);
  });
});

describe("the bundle scripts/build-bundle.mjs makes", () => {
  it("answers a search as dist/cli/main.js does, loading under 80 module files", { timeout: 180_000 }, async () => {
    const repo = await makeTempDir();
    await writeFile(path.join(repo, "mail.py"), 'def send_welcome_email(user):\n    """Send the welcome email."""\n    return user\n');
    expect((await runCli(["index", "--model", TEST_MODEL_DIR], { cwd: repo })).code).toBe(0);
    // A bundle of its own, beside dist/bundle/ (same depth, so paths relative to the bundle resolve alike).
    const outdir = await mkdtemp(path.join(PROJECT_ROOT, "dist", "bundle-test-"));
    try {
      await run(process.execPath, [path.join(PROJECT_ROOT, "scripts", "build-bundle.mjs"), "--outdir", outdir]);
      const searchWith = async (entry: string) => {
        const out = path.join(await makeTempDir(), "modules.txt");
        const script = `const { runCli } = await import(${JSON.stringify(entry)}); process.exitCode = await runCli(process.argv);`;
        const { stdout } = await run(process.execPath, ["--import", RECORDER, "--input-type=module", "-e", script, "--", "codesearch", "search", "welcome email", "--mode", "lexical", "--json"], {
          cwd: repo,
          env: { ...process.env, CI: "1", NO_COLOR: "1", LANCEDB_LOG: "error", CODESEARCH_TEST_LOADED_MODULES: out },
        });
        return { stdout, modules: (await readFile(out, "utf8")).split("\n").filter(Boolean) };
      };
      const bundled = await searchWith(path.join(outdir, "main.js"));
      const compiled = await searchWith(path.join(PROJECT_ROOT, "dist", "cli", "main.js"));
      expect(JSON.parse(bundled.stdout)).toEqual(JSON.parse(compiled.stdout));
      expect(JSON.parse(bundled.stdout)).toMatchObject({ results: [{ qualname: "send_welcome_email" }] });
      expect(compiled.modules.length).toBeGreaterThan(300);
      expect(bundled.modules.length).toBeLessThan(80);
    } finally {
      await rm(outdir, { recursive: true, force: true });
    }
  });
});
