// Issue 19, items 8 and 9, through the built CLI: `search` refuses (exit 6) exactly when `status`
// reports damage, and bit rot that kept size and mtime is found before any read trusts the file.
import { open, readFile, readdir, stat, utimes, writeFile } from "node:fs/promises";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { writeSyntheticRepo } from "../support/index-snapshot.js";
import { runCli } from "../support/run-cli.js";
import { seededRandom } from "../support/seeded-random.js";
import { TEST_MODEL_DIR, makeTempDir } from "../support/temp-dirs.js";

async function indexedRepo(): Promise<string> {
  const repo = await makeTempDir();
  await writeSyntheticRepo(repo, 12, 8);
  const indexed = await runCli(["index", "--model", TEST_MODEL_DIR], { cwd: repo });
  expect(indexed.code, indexed.stderr).toBe(0);
  return repo;
}

describe("search refuses exactly when status reports damage", () => {
  it("4,096 bytes flipped across a data file, mtime put back: status and every search mode exit 6 (no read of the file)", { timeout: 120_000 }, async () => {
    const repo = await indexedRepo();
    const dataDir = path.join(repo, ".codesearch", "entities.lance", "data");
    const [name] = await readdir(dataDir);
    const file = path.join(dataDir, name!);
    const before = await stat(file);
    const random = seededRandom(19);
    const handle = await open(file, "r+");
    for (let flipped = 0; flipped < 4096; flipped++) {
      const at = Math.floor(random() * before.size);
      const byte = Buffer.alloc(1);
      await handle.read(byte, 0, 1, at);
      byte[0] = byte[0]! ^ (1 + Math.floor(random() * 255));
      await handle.write(byte, 0, 1, at);
    }
    await handle.close();
    await utimes(file, before.atime, before.mtime);

    const status = await runCli(["status"], { cwd: repo });
    expect(status.code).toBe(6);
    expect(status.stdout).toContain(`data/${name}`);
    for (const mode of ["vector", "lexical", "hybrid"]) {
      const search = await runCli(["search", "scale value and clamp it", "--mode", mode, "--json"], { cwd: repo });
      expect(search.code, `${mode}: ${search.stderr}`).toBe(6);
      expect(search.stderr).toContain("changed after they were written");
    }
  });

  it("a manifest naming the committed version − 1: status and search both exit 6", { timeout: 120_000 }, async () => {
    const repo = await indexedRepo();
    const manifestFile = path.join(repo, ".codesearch", "manifest.json");
    const manifest = JSON.parse(await readFile(manifestFile, "utf8")) as { tableVersion: number };
    await writeFile(manifestFile, JSON.stringify({ ...manifest, tableVersion: manifest.tableVersion - 1 }));
    const status = await runCli(["status"], { cwd: repo });
    expect(status.code).toBe(6);
    const search = await runCli(["search", "scale value and clamp it", "--mode", "lexical"], { cwd: repo });
    expect(search.code).toBe(6);
    expect(search.stderr).toContain(`the manifest names table version ${manifest.tableVersion - 1}`);
  });
});
