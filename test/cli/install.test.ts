// The README's Install section, as written: a global install from the clone puts a working
// `codesearch` on the PATH without warnings, and the packed tarball carries what "files" lists.
import { execFile } from "node:child_process";
import { existsSync, readFileSync } from "node:fs";
import path from "node:path";
import { promisify } from "node:util";
import { describe, expect, it } from "vitest";
import { PROJECT_ROOT, TEST_MODEL_DIR, copyPythonFixtures, makeTempDir } from "../support/temp-dirs.js";

const run = promisify(execFile);
const pkg = JSON.parse(readFileSync(path.join(PROJECT_ROOT, "package.json"), "utf8")) as { version: string; files: string[]; bin: Record<string, string> };

describe("installing codesearch", () => {
  it("npm install -g --ignore-scripts <clone> gives a codesearch bin that indexes and searches, with no warnings", { timeout: 120_000 }, async () => {
    const prefix = await makeTempDir("codesearch-prefix-");
    const env = { ...process.env, npm_config_update_notifier: "false" };
    const installed = await run("npm", ["install", "-g", "--prefix", prefix, "--ignore-scripts", "--offline", "--no-audit", "--no-fund", PROJECT_ROOT], { env });
    expect(installed.stderr).not.toMatch(/warn|ERR/i);
    const bin = path.join(prefix, "bin", "codesearch");
    expect((await run(bin, ["--version"])).stdout.trim()).toBe(pkg.version);

    const repo = await copyPythonFixtures();
    const childEnv = { ...process.env, CI: "1", CODESEARCH_MODEL_CACHE: path.join(repo, ".model-cache") };
    await run(bin, ["index", repo, "--model", TEST_MODEL_DIR], { env: childEnv });
    const search = await run(bin, ["search", "retry a request when the connection resets", "--repo", repo, "-n", "1", "--json"], { env: childEnv });
    expect((JSON.parse(search.stdout) as { results: { file: string }[] }).results[0]?.file).toBe("shop/net/retry.py");
  });

  it("the packed tarball holds the bin and every existing entry package.json \"files\" lists", { timeout: 120_000 }, async () => {
    const { stdout } = await run("npm", ["pack", "--dry-run", "--json", "--ignore-scripts"], { cwd: PROJECT_ROOT });
    const packed = new Set((JSON.parse(stdout) as [{ files: { path: string }[] }])[0].files.map((f) => f.path));
    for (const binPath of Object.values(pkg.bin)) expect(packed).toContain(path.normalize(binPath));
    expect(packed).toContain("dist/cli/main.js");
    for (const entry of pkg.files) {
      if (!existsSync(path.join(PROJECT_ROOT, entry))) continue;
      expect([...packed].some((file) => file === entry || file.startsWith(`${entry}/`))).toBe(true);
    }
  });
});
