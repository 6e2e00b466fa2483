// Runs the built CLI (bin/codesearch.js → dist/) as a child process, as a user would.
import { spawn } from "node:child_process";
import path from "node:path";
import { PROJECT_ROOT } from "./temp-dirs.js";

/** Exit code and captured output of one CLI run. */
export interface CliResult {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** Runs `codesearch <args>` in `cwd` with stdin closed and `CI=1` (plain output) unless `env` overrides. */
export function runCli(args: string[], options: { cwd: string; env?: NodeJS.ProcessEnv }): Promise<CliResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [path.join(PROJECT_ROOT, "bin", "codesearch.js"), ...args], {
      cwd: options.cwd,
      env: { ...process.env, CI: "1", NO_COLOR: "1", CODESEARCH_MODEL_CACHE: path.join(options.cwd, ".model-cache"), ...options.env },
      stdio: ["ignore", "pipe", "pipe"],
    });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (d: Buffer) => (stdout += d.toString()));
    child.stderr.on("data", (d: Buffer) => (stderr += d.toString()));
    child.on("error", reject);
    child.on("close", (code) => resolve({ code, stdout, stderr }));
  });
}
