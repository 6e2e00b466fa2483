import { readFile, writeFile } from "node:fs/promises";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { runCli } from "../support/run-cli.js";
import { TEST_MODEL_DIR, makeTempDir } from "../support/temp-dirs.js";

describe("an index of an older schema version", () => {
  it("search refuses it (exit 5) naming --rebuild, and index --rebuild rebuilds it with the recorded model", async () => {
    const repo = await makeTempDir();
    await writeFile(path.join(repo, "paint.py"), "def paint(text):\n    return text\n");
    expect((await runCli(["index", "--model", TEST_MODEL_DIR], { cwd: repo })).code).toBe(0);
    const manifestFile = path.join(repo, ".codesearch", "manifest.json");
    const manifest = JSON.parse(await readFile(manifestFile, "utf8")) as { schemaVersion: number; modelId: string };
    await writeFile(manifestFile, JSON.stringify({ ...manifest, schemaVersion: 1 }));

    const refused = await runCli(["search", "paint"], { cwd: repo });
    expect(refused.code).toBe(5);
    expect(refused.stderr).toContain(`has schema version 1, this codesearch reads version ${manifest.schemaVersion}; run \`codesearch index\` with --rebuild`);
    expect((await runCli(["index"], { cwd: repo })).code).toBe(5);

    const rebuilt = await runCli(["index", "--rebuild"], { cwd: repo });
    expect(rebuilt.code).toBe(0);
    const after = JSON.parse(await readFile(manifestFile, "utf8")) as { schemaVersion: number; modelId: string };
    expect([after.schemaVersion, after.modelId]).toEqual([manifest.schemaVersion, manifest.modelId]);
    expect((await runCli(["search", "paint"], { cwd: repo })).code).toBe(0);
  });
});
