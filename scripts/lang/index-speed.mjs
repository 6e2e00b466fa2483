#!/usr/bin/env node
// Cold index speed per language (issue 20's goal: ≥ 1,000 entities/s, whole process, 2 cores,
// codesearch-small): copies each package into a fresh temp folder, runs `codesearch index` once
// with no embedding cache, and divides the entities stored by the process's wall time.
// Usage: npm run build && node scripts/lang/index-speed.mjs  (the same packages as ctags-agreement.mjs)
import { execFileSync } from "node:child_process";
import { cpSync, mkdtempSync, rmSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { performance } from "node:perf_hooks";
import { PACKAGES, ROOT } from "./speed-packages.mjs";

// Cold figures must embed: the per-user shared embedding cache is off unless the caller set it.
process.env.CODESEARCH_CACHE_DIR ??= "off";


console.log("| language | package | entities | wall s | entities/s |");
console.log("|---|---|---:|---:|---:|");
for (const [language, source] of PACKAGES) {
  const repo = mkdtempSync(path.join(os.tmpdir(), "codesearch-speed-"));
  cpSync(source, path.join(repo, "pkg"), { recursive: true });
  const env = { ...process.env, CI: "1", CODESEARCH_MODEL_CACHE: path.join(repo, ".model-cache") };
  const cli = path.join(ROOT, "bin", "codesearch.js");
  const start = performance.now();
  execFileSync(process.execPath, [cli, "index", "--model", path.join(ROOT, "models", "codesearch-small")], { cwd: repo, env, stdio: "ignore" });
  const seconds = (performance.now() - start) / 1000;
  const status = JSON.parse(execFileSync(process.execPath, [cli, "status", "--json"], { cwd: repo, env, encoding: "utf8" }));
  const entities = status.languages.find((l) => l.language === language)?.entities ?? 0;
  console.log(`| ${language} | ${source.replace(ROOT, "")} | ${entities} | ${seconds.toFixed(1)} | ${(entities / seconds).toFixed(0)} |`);
  rmSync(repo, { recursive: true, force: true });
}
