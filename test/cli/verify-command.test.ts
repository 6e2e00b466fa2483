// `codesearch verify` finds damage the cheap checks cannot (bytes changed with the mtime put back)
// and `--repair` rebuilds from the embedding cache.
import { open, readdir, stat, utimes } from "node:fs/promises";
import path from "node:path";
import { describe, expect, it } from "vitest";
import type { VerifyReport } from "../../src/pipeline/verify-index.js";
import { snapshotFromScratch, snapshotIndex, writeSyntheticRepo } from "../support/index-snapshot.js";
import { runCli } from "../support/run-cli.js";
import { TEST_MODEL_DIR, makeTempDir } from "../support/temp-dirs.js";

describe("codesearch verify", () => {
  it("passes a sound index, finds bit rot the stat check misses, and --repair makes it exact again", { timeout: 120_000 }, async () => {
    const repo = await makeTempDir();
    await writeSyntheticRepo(repo, 12, 8);
    expect((await runCli(["index", "--model", TEST_MODEL_DIR], { cwd: repo })).code).toBe(0);
    const sound = await runCli(["verify", "--json"], { cwd: repo });
    expect(sound.code).toBe(0);
    const soundReport = (JSON.parse(sound.stdout) as { before: VerifyReport }).before;
    expect(soundReport).toMatchObject({ rowsChecked: 96, vectorsChecked: 96, vectorsUnverifiable: 0, problems: [] });

    // Flip bytes in the middle of the data file (vectors), then put its mtime back: only hashing sees it.
    const dataDir = path.join(repo, ".codesearch", "entities.lance", "data");
    const [name] = await readdir(dataDir);
    const file = path.join(dataDir, name!);
    const before = await stat(file);
    const handle = await open(file, "r+");
    const bytes = Buffer.alloc(4096);
    await handle.read(bytes, 0, bytes.length, Math.floor(before.size / 2));
    for (let i = 0; i < bytes.length; i++) bytes[i] = bytes[i]! ^ 0x5a;
    await handle.write(bytes, 0, bytes.length, Math.floor(before.size / 2));
    await handle.close();
    await utimes(file, before.atime, before.mtime);

    const damaged = await runCli(["verify"], { cwd: repo });
    expect(damaged.code).toBe(6);
    expect(damaged.stdout).toContain(`changed after they were written: data/${name}`);
    expect(damaged.stdout).toMatch(/row\(s\) hold a vector that differs from the verified cache/);

    const repaired = await runCli(["verify", "--repair", "--offline", "--json"], { cwd: repo });
    expect(repaired.code).toBe(0);
    const report = JSON.parse(repaired.stdout) as { before: VerifyReport; repaired: boolean; after: VerifyReport };
    expect(report.repaired).toBe(true);
    expect(report.before.problems.length).toBeGreaterThan(0);
    expect(report.after).toMatchObject({ rowsChecked: 96, vectorsChecked: 96, problems: [] });
    expect(repaired.stderr).toContain("0 embedded");
    expect(await snapshotIndex(path.join(repo, ".codesearch"))).toEqual(await snapshotFromScratch(repo));
  });
});
