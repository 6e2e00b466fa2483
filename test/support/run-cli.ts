// Runs the built CLI (bin/codesearch.js → dist/) as a child process, as a user would.
import { type ChildProcess, type SpawnOptionsWithStdioTuple, spawn } from "node:child_process";
import path from "node:path";
import { PROJECT_ROOT } from "./temp-dirs.js";

/** Exit code and captured output of one CLI run. */
export interface CliResult {
  code: number | null;
  stdout: string;
  stderr: string;
}

function cliArgs(args: string[]): string[] {
  return [path.join(PROJECT_ROOT, "bin", "codesearch.js"), ...args];
}

/** `CI=1` (plain output), `NO_COLOR=1`, a model cache inside `cwd`, stdin closed; `env` overrides. */
function childOptions(options: { cwd: string; env?: NodeJS.ProcessEnv }): SpawnOptionsWithStdioTuple<"ignore", "pipe", "pipe"> {
  return {
    cwd: options.cwd,
    env: { ...process.env, CI: "1", NO_COLOR: "1", CODESEARCH_MODEL_CACHE: path.join(options.cwd, ".model-cache"), ...options.env },
    stdio: ["ignore", "pipe", "pipe"],
  };
}

/** Runs `codesearch <args>` in `cwd` with stdin closed and `CI=1` (plain output) unless `env` overrides. */
export function runCli(args: string[], options: { cwd: string; env?: NodeJS.ProcessEnv }): Promise<CliResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, cliArgs(args), childOptions(options));
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (d: Buffer) => (stdout += d.toString()));
    child.stderr.on("data", (d: Buffer) => (stderr += d.toString()));
    child.on("error", reject);
    child.on("close", (code) => resolve({ code, stdout, stderr }));
  });
}

/** A CLI child process being watched. */
export interface CliProcess {
  child: ChildProcess;
  /** Resolves with the first line of `stream` (default stdout) for which `predicate` is true; rejects if the process exits first. */
  waitForLine(predicate: (line: string) => boolean, stream?: "stdout" | "stderr"): Promise<string>;
  /** Resolves when the process exits, with its code/signal and full output. */
  exited: Promise<CliResult & { signal: NodeJS.Signals | null }>;
}

/** Starts `codesearch <args>` without waiting for it (see {@link runCli} for the environment). */
export function spawnCli(args: string[], options: { cwd: string; env?: NodeJS.ProcessEnv }): CliProcess {
  const child = spawn(process.execPath, cliArgs(args), childOptions(options));
  let stdout = "";
  let stderr = "";
  type Watcher = { stream: "stdout" | "stderr"; predicate: (line: string) => boolean; resolve: (line: string) => void; reject: (e: Error) => void };
  const watchers: Watcher[] = [];
  const pending = { stdout: "", stderr: "" };
  const feed = (stream: "stdout" | "stderr", chunk: string): void => {
    pending[stream] += chunk;
    const lines = pending[stream].split("\n");
    pending[stream] = lines.pop()!;
    for (const line of lines) {
      for (const w of [...watchers]) {
        if (w.stream === stream && w.predicate(line)) {
          watchers.splice(watchers.indexOf(w), 1);
          w.resolve(line);
        }
      }
    }
  };
  child.stdout!.on("data", (d: Buffer) => {
    stdout += d.toString();
    feed("stdout", d.toString());
  });
  child.stderr!.on("data", (d: Buffer) => {
    stderr += d.toString();
    feed("stderr", d.toString());
  });
  const exited = new Promise<CliResult & { signal: NodeJS.Signals | null }>((resolve) => {
    child.on("close", (code, signal) => {
      for (const w of watchers.splice(0)) w.reject(new Error(`process exited (${code ?? signal}) before the awaited line; stderr: ${stderr}`));
      resolve({ code, signal, stdout, stderr });
    });
  });
  return {
    child,
    exited,
    waitForLine: (predicate, stream = "stdout") => new Promise((resolve, reject) => watchers.push({ stream, predicate, resolve, reject })),
  };
}
