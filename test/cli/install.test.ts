// The README's Install section: the packed tarball installed globally puts a working `codesearch`
// on the PATH without warnings, and the tarball carries what "files" lists.
import { execFile } from "node:child_process";
import { existsSync, readFileSync } from "node:fs";
import { rm } from "node:fs/promises";
import path from "node:path";
import { promisify } from "node:util";
import { describe, expect, it } from "vitest";
import { PROJECT_ROOT, TEST_MODEL_DIR, copyPythonFixtures, makeTempDir } from "../support/temp-dirs.js";

const run = promisify(execFile);
const pkg = JSON.parse(readFileSync(path.join(PROJECT_ROOT, "package.json"), "utf8")) as { version: string; files: string[]; bin: Record<string, string> };

describe("installing codesearch", () => {
  // What a user without the repository gets: the packed tarball installed globally into a temp
  // prefix. npm reads packages from its cache (filled by the clone's `npm install`) and may fetch
  // what is missing from the npm registry, nothing else: --ignore-scripts keeps every install
  // script (sharp's libvips download from GitHub among them) from running.
  it("npm install -g <packed tarball> gives a codesearch bin that indexes and searches with codesearch-small, with no warnings; without transformers.js other models say what to do", { timeout: 300_000 }, async () => {
    const work = await makeTempDir("codesearch-install-");
    const env = { ...process.env, npm_config_update_notifier: "false", npm_config_fund: "false", npm_config_audit: "false" };
    const packed = await run("npm", ["pack", "--ignore-scripts", "--json", "--pack-destination", work], { cwd: PROJECT_ROOT, env });
    const tarball = path.join(work, (JSON.parse(packed.stdout) as [{ filename: string }])[0].filename);
    const prefix = path.join(work, "prefix");
    const installed = await run("npm", ["install", "-g", "--prefix", prefix, "--prefer-offline", "--ignore-scripts", tarball], { cwd: work, env });
    expect(installed.stderr).not.toMatch(/warn|ERR/i);
    const bin = path.join(prefix, "bin", "codesearch");
    expect((await run(bin, ["--version"])).stdout.trim()).toBe(pkg.version);

    const repo = await copyPythonFixtures();
    const childEnv = { ...process.env, CI: "1", CODESEARCH_MODEL_CACHE: path.join(work, "model-cache"), CODESEARCH_OFFLINE: "1" };
    await run(bin, ["index", repo, "--model", "codesearch-small"], { env: childEnv, cwd: work });
    const search = await run(bin, ["search", "retry a request when the connection resets", "--repo", repo, "-n", "1", "--json"], { env: childEnv, cwd: work });
    expect((JSON.parse(search.stdout) as { results: { file: string }[] }).results[0]?.file).toBe("shop/net/retry.py");
    // The installed package's own model folder is the one recorded and used.
    const manifest = await run(bin, ["status", repo, "--json"], { env: childEnv, cwd: work });
    expect(manifest.stdout).toContain(`"codesearch-small"`);

    // An install that left out the optional transformers.js (npm drops it when sharp's install
    // fails offline): a model that needs it fails with exit 4 and says what to do.
    await rm(path.join(prefix, "lib", "node_modules", "codesearch", "node_modules", "@xenova", "transformers"), { recursive: true, force: true });
    const other = await copyPythonFixtures();
    const failed = await run(bin, ["index", other, "--model", TEST_MODEL_DIR], { env: childEnv, cwd: work }).then(
      () => ({ code: 0, stderr: "" }),
      (error: { code: number; stderr: string }) => error,
    );
    expect(failed.code).toBe(4);
    expect(failed.stderr).toMatch(/needs transformers\.js \(@xenova\/transformers 2\.17\.2\), which is not installed/);
    expect(failed.stderr).toContain("npm install -g @xenova/transformers@2.17.2");
    expect(failed.stderr).toContain("--model codesearch-small");
    // codesearch-small still indexes there.
    await run(bin, ["index", other, "--model", "codesearch-small"], { env: childEnv, cwd: work });
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
