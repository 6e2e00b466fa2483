import { ExitCode, type ExitCodeValue } from "../model/errors.js";
import { verifyIndex, type VerifyReport } from "../pipeline/index.js";
import { formatDuration, formatCount, oneLine } from "../report/index.js";
import { type IndexCommandOptions, runIndexCommand } from "./index-command.js";
import { writeHuman } from "./terminal.js";

/** Parsed options of `codesearch verify`. */
export interface VerifyCommandOptions {
  db?: string;
  cacheDir?: string;
  repair?: boolean;
  offline?: boolean;
  json?: boolean;
}

/** Human lines for one {@link VerifyReport}. */
export function formatVerifyReport(report: VerifyReport): string[] {
  const lines = [
    `index     ${report.indexDir} (table version ${report.tableVersion ?? "unreadable"})`,
    `checked   ${formatCount(report.rowsChecked)} rows, ${formatCount(report.vectorsChecked)} vectors against the embedding cache` +
      (report.vectorsUnverifiable > 0 ? ` (${formatCount(report.vectorsUnverifiable)} not in the cache: unchecked)` : "") +
      `, in ${formatDuration(report.durationMs)}`,
  ];
  if (report.problems.length === 0) lines.push("sound     every file, row, vector and search index is as the last run wrote it");
  for (const [i, problem] of report.problems.entries()) lines.push(`${i === 0 ? "damaged   " : "          "}${oneLine(problem, 200)}`);
  return lines;
}

/**
 * Runs `codesearch verify [repo]`: checks the index thoroughly (see `verifyIndex`) and prints what
 * it found (one JSON object with `--json`: `{ before, repaired, after? }`). With `--repair`, a
 * damaged index is rebuilt from the embedding cache (`codesearch index` with a forced rebuild;
 * only vectors the cache cannot prove are computed again) and checked once more.
 * @returns 0 when the index is sound (or was repaired and is now sound), 6 when damage remains.
 * @throws CodesearchError from reading the index or from the repair run.
 */
export async function runVerifyCommand(repo: string | undefined, options: VerifyCommandOptions): Promise<ExitCodeValue> {
  const cwd = process.cwd();
  const where = { cwd, ...(repo !== undefined ? { repoRoot: repo } : {}), ...(options.db !== undefined ? { indexDir: options.db } : {}), ...(options.cacheDir ? { cacheDir: options.cacheDir } : {}) };
  const before = await verifyIndex(where);
  let after: VerifyReport | undefined;
  if (options.repair && before.problems.length > 0) {
    if (!options.json) writeHuman(process.stderr, [...formatVerifyReport(before), "repairing from the embedding cache…"].join("\n"));
    const indexOptions: IndexCommandOptions & { repair: boolean } = {
      repair: true,
      plain: true,
      ...(options.db !== undefined ? { db: options.db } : {}),
      ...(options.cacheDir !== undefined ? { cacheDir: options.cacheDir } : {}),
      ...(options.offline ? { offline: true } : {}),
    };
    await runIndexCommand(before.repoRoot, indexOptions);
    after = await verifyIndex(where);
  }
  const final = after ?? before;
  if (options.json) process.stdout.write(`${JSON.stringify({ before, repaired: after !== undefined, ...(after ? { after } : {}) })}\n`);
  else writeHuman(process.stdout, formatVerifyReport(final).join("\n"));
  return final.problems.length === 0 ? ExitCode.Success : ExitCode.Store;
}
