import { ExitCode, type ExitCodeValue } from "../model/errors.js";
import { readIndexStatus, type IndexStatus } from "../pipeline/index.js";
import { formatBytes, formatCount, formatDuration, formatLocation, formatWatchState, oneLine, plural } from "../report/index.js";
import { writeHuman } from "./terminal.js";

/** Human lines for `codesearch status`. */
export function formatStatus(status: IndexStatus): string[] {
  const { stale, failed, lastRun } = status;
  const staleFiles = stale.filesAdded + stale.filesChanged + stale.filesRemoved;
  if (status.state === "started") return formatStartedStatus(status);
  const lines = [
    `index     ${status.indexDir} (${formatBytes(status.indexSizeBytes)})`,
    `repo      ${status.repoRoot}`,
    `model     ${status.modelId} (${status.dimension}-d, ${status.maxTokens} tokens)`,
    `indexed   ${plural(status.filesIndexed, "file")}, ${plural(status.entitiesIndexed, "entity", "entities")}`,
    ...(status.languages.length > 0
      ? [`languages ${status.languages.map((l) => `${l.language} ${formatCount(l.files)} files ${formatCount(l.entities)} entities`).join(", ")}`]
      : []),
    staleFiles === 0
      ? "stale     none: the index matches the files on disk"
      : `stale     ${formatCount(stale.filesChanged)} changed, ${formatCount(stale.filesAdded)} new, ${formatCount(stale.filesRemoved)} deleted ` +
        `(${plural(stale.entities, "indexed entity", "indexed entities")} out of date); run \`codesearch index\``,
    ...stale.examples.slice(0, 5).map((p) => `          ${p}`),
    failed.files === 0 ? "failed    none" : `failed    ${plural(failed.files, "file")} with problems, ${plural(failed.entities, "entity", "entities")} not embedded (retry with \`codesearch index --retry-failed\`)`,
    ...failed.failures.slice(0, 5).map((f) => `          ${formatLocation(f.path, f.line)}  ${f.qualifiedName ?? "-"}  ${f.stage}  ${oneLine(f.message, 100)}`),
    lastRun === null
      ? "last run  none finished"
      : `last run  ${lastRun.finishedAt}, took ${formatDuration(lastRun.durationMs)}` +
        (lastRun.stopReason ? ` — partial (${lastRun.stopReason}), ${plural(lastRun.chunksPending, "entity", "entities")} left` : ""),
  ];
  for (const [i, line] of status.damage.entries()) lines.push(`${i === 0 ? "damaged   " : "          "}${oneLine(line, 160)}`);
  if (status.damage.length > 0) lines.push("          run `codesearch index` to repair it from the embedding cache (nothing is re-embedded)");
  const { fusion } = status;
  lines.push(`fusion    hybrid mode: vector weight ${fusion.weights.vector}, lexical ${fusion.weights.lexical}, names ${fusion.weights.name}, RRF k ${fusion.weights.k}`);
  lines.push(`          ${fusion.note}`);
  if (fusion.calibration) {
    const c = fusion.calibration;
    lines.push(`          ${c.queries} queries among ${c.distractors} other entities, ${c.modelCalls} texts embedded, ${formatDuration(c.durationMs)}, ${c.calibratedAt}`);
    lines.push(`          MRR@10 by vector weight (± standard error of the gap to the best): ${c.scores.map((s) => `${s.vectorWeight}→${s.mrrAt10.toFixed(3)}${s.standardErrorToBest === undefined ? "" : `±${s.standardErrorToBest.toFixed(3)}`}`).join("  ")}`);
  }
  lines.push("          search --vector-weight <w> overrides the weight");
  if (status.runningIndex) lines.push(`running   an index run is in progress (pid ${status.runningIndex.pid}, since ${status.runningIndex.startedAt})`);
  if (status.watcher) lines.push(formatWatcher(status.watcher));
  return lines;
}

/** The `watching` line: what the watcher following the index is doing, as it last recorded. */
function formatWatcher(watcher: NonNullable<IndexStatus["watcher"]>): string {
  const last = watcher.state.lastRefresh ? `; last refresh ${watcher.state.lastRefresh.finishedAt}` : "";
  return `watching  ${formatWatchState(watcher.state)} (pid ${watcher.pid}, since ${watcher.startedAt}${last})`;
}

/** Status lines of an index whose first run stored nothing yet: partial, with the model it recorded. */
function formatStartedStatus(status: IndexStatus): string[] {
  const { lastRun } = status;
  const lines = [
    `index     ${status.indexDir} (${formatBytes(status.indexSizeBytes)})`,
    `repo      ${status.repoRoot}`,
    `model     ${status.modelId} (${status.maxTokens} tokens)`,
    `indexed   nothing yet — partial: the first run ${status.runningIndex ? "is still going" : "stopped before storing anything"}` +
      (lastRun && !status.runningIndex ? ` (${lastRun.stopReason ?? "no entities"}, ${plural(lastRun.chunksPending, "entity", "entities")} left)` : ""),
    `stale     ${plural(status.stale.filesAdded, "file")} to index; run \`codesearch index ${status.repoRoot}\` to continue (embedded vectors are kept in the cache)`,
    lastRun === null ? "last run  none finished" : `last run  ${lastRun.finishedAt}, took ${formatDuration(lastRun.durationMs)} — partial (${lastRun.stopReason ?? "nothing stored"})`,
  ];
  if (status.runningIndex) lines.push(`running   an index run is in progress (pid ${status.runningIndex.pid}, since ${status.runningIndex.startedAt})`);
  if (status.watcher) lines.push(formatWatcher(status.watcher));
  return lines;
}

/**
 * Runs `codesearch status [repo]`: prints the index's state (JSON with `--json`). Exit code 0, or
 * 6 (`ExitCode.Store`) when the index is damaged (`status.damage`), after printing.
 * @throws IndexNotFoundError; StoreError.
 */
export async function runStatusCommand(repo: string | undefined, options: { db?: string; json?: boolean }): Promise<ExitCodeValue> {
  const status = await readIndexStatus({
    cwd: process.cwd(),
    ...(repo !== undefined ? { repoRoot: repo } : {}),
    ...(options.db !== undefined ? { indexDir: options.db } : {}),
  });
  if (options.json) process.stdout.write(`${JSON.stringify(status)}\n`);
  else writeHuman(process.stdout, formatStatus(status).join("\n"));
  return status.damage.length > 0 ? ExitCode.Store : ExitCode.Success;
}
