/**
 * Ink view of one `index` run, drawn from a `ProgressState`: phase text, counts, a progress bar
 * over entities while running; the summary and the failure table once finished.
 */
import { Children, createContext, useContext } from "react";
import type { ComponentProps, ReactNode } from "react";
import { Box, Text as InkText, useStdout } from "ink";
import {
  entitiesRemaining,
  escapeControlChars,
  formatCacheNotes,
  failuresByStage,
  finishedHeadline,
  formatBar,
  formatCount,
  formatCurrentEntity,
  formatDuration,
  formatEntitiesDone,
  formatEta,
  formatFailureList,
  formatFailureTable,
  formatPercent,
  formatRate,
  plural,
  progressFraction,
  summaryRows,
  SUMMARY_LABEL_WIDTH,
} from "../report/index.js";
import type { IndexFailure } from "../model/types.js";
import type { ProgressState } from "../report/index.js";

/** Props of `IndexProgressView`. */
export interface IndexProgressViewProps {
  state: ProgressState;
  /**
   * Whether to style text (colours, bold, dim). Pass false when `NO_COLOR` is set: Ink's chalk
   * honours `FORCE_COLOR` and non-TTY output but not `NO_COLOR`. Default true.
   */
  color?: boolean;
  /** Failures listed in the table before `… and N more`; default 20. */
  maxFailureRows?: number;
  /** Width of the progress bar in characters; default 30. */
  barWidth?: number;
  /** The command that resumes a stopped run, shown in its headline; default `codesearch index`. */
  resumeCommand?: string;
}

/**
 * Ink's `Text` with every string child passed through `escapeControlChars`: the view's only way to
 * print text, so a path, entity name or message from the repository cannot bring terminal
 * control sequences (nested `Text`s escape their own strings).
 */
function Text({ children, ...props }: ComponentProps<typeof InkText>): ReactNode {
  return <InkText {...props}>{Children.map(children, (child) => (typeof child === "string" ? escapeControlChars(child) : child))}</InkText>;
}

type Tone = "accent" | "good" | "warn" | "bad" | "muted" | "strong";

const ColorContext = createContext(true);

/** Text in a tone; plain text when colour is off. */
function Styled({ tone, children }: { tone: Tone; children: ReactNode }): ReactNode {
  const color = useContext(ColorContext);
  if (!color) return <Text>{children}</Text>;
  switch (tone) {
    case "accent":
      return <Text color="cyan">{children}</Text>;
    case "good":
      return <Text color="green">{children}</Text>;
    case "warn":
      return <Text color="yellow">{children}</Text>;
    case "bad":
      return <Text color="red">{children}</Text>;
    case "muted":
      return <Text dimColor>{children}</Text>;
    case "strong":
      return <Text bold>{children}</Text>;
  }
}

/**
 * A `label    value` line with the label padded like the plain summary; live rows are cut at the
 * terminal's width, the final summary's rows wrap (paths and counts must stay readable).
 */
function Row({ label, children, wrap = "truncate-end" }: { label: string; children: ReactNode; wrap?: "truncate-end" | "wrap" }): ReactNode {
  return (
    <Text wrap={wrap}>
      <Styled tone="muted">{label.padEnd(SUMMARY_LABEL_WIDTH)}</Styled>
      {children}
    </Text>
  );
}

/**
 * Renders `state`. Lines, top to bottom: `codesearch index <repo>  model <id>`; while running the
 * phase line (`scanning for source files…`, `loading model X…`, …), `files  40/42 (1 failed, 3 skipped)`,
 * `entities  310 found (120 cached, 190 to embed)`, the bar `████░░░░  42%  130/310` (done =
 * cached + embedded + failed), `embedded N · cached N · failed N`, `35.2/s  ETA 5 s  elapsed 3.2 s`
 * and `current  <path:line> <entity>` (the file while extracting); once finished a status line, the summary rows and the
 * failure table (`file:line  entity  stage  reason`, at most `maxFailureRows` rows, then
 * `… and N more`).
 */
export function IndexProgressView({
  state,
  color = true,
  maxFailureRows = 20,
  barWidth = 30,
  resumeCommand,
}: IndexProgressViewProps): ReactNode {
  return (
    <ColorContext.Provider value={color}>
      <Box flexDirection="column">
        <Header state={state} />
        {state.phase === "finished" ? (
          <Finished state={state} maxFailureRows={maxFailureRows} resumeCommand={resumeCommand} />
        ) : (
          <Running state={state} barWidth={barWidth} />
        )}
      </Box>
    </ColorContext.Provider>
  );
}

function Header({ state }: { state: ProgressState }): ReactNode {
  // Wrapped, not cut: on a narrow terminal the model name goes to the next line instead of away.
  return (
    <Text wrap="wrap">
      <Styled tone="accent">codesearch index</Styled>
      {state.repoRoot ? ` ${state.repoRoot}` : ""}
      {state.modelId ? (
        <>
          {"  "}
          <Styled tone="muted">model</Styled> {state.modelId}
          {state.dimension === null ? "" : ` (${state.dimension}-d)`}
        </>
      ) : null}
    </Text>
  );
}

function phaseText(state: ProgressState): string | null {
  if (state.stopReason === "interrupted" && state.phase !== "finished") {
    return "stopping after the current batch; what is embedded will be saved (Ctrl-C again to quit at once)…";
  }
  if (state.stopReason === "max-items" && state.phase !== "finished") return "reached --max-items; stopping after the current batch…";
  if (state.waitingForPid !== null) return `waiting for another index run (pid ${state.waitingForPid}) to finish…`;
  switch (state.phase) {
    case "starting":
      return "starting…";
    case "scanning":
      return "scanning for source files…";
    case "extracting":
      return "extracting entities…";
    case "loading-model":
      return state.modelId === null ? "loading model…" : `loading model ${state.modelId}…`;
    case "embedding":
      return null;
    case "storing":
      return `writing ${state.storeRowCount === null ? "rows" : plural(state.storeRowCount, "row")} to LanceDB…`;
    case "calibrating":
      return "calibrating hybrid search on the repository's documented functions…";
    case "committing":
      return "committing the index…";
    case "finished":
      return null;
  }
}

function Running({ state, barWidth }: { state: ProgressState; barWidth: number }): ReactNode {
  const phase = phaseText(state);
  const pastScan = state.phase !== "starting" && state.phase !== "scanning";
  const cacheKnown = state.cacheState !== null;
  // Only damage found and being repaired is worth a row; a new cache is the normal first run.
  const cacheNotes = formatCacheNotes(state, { mentionNew: false });
  const fraction = progressFraction(state);
  const remaining = entitiesRemaining(state);
  const embedding = state.phase === "embedding" && state.entitiesToEmbed > 0;
  const fileNotes = [
    ...(state.filesFailed > 0 ? [`${formatCount(state.filesFailed)} failed`] : []),
    ...(state.skipped.length > 0 ? [`${formatCount(state.skipped.length)} skipped`] : []),
  ];
  return (
    <Box flexDirection="column">
      {phase === null ? null : <Styled tone="warn">{phase}</Styled>}
      {pastScan ? (
        <Row label="files">
          {formatCount(state.filesDone)}/{formatCount(state.filesTotal)}
          {fileNotes.length > 0 ? ` (${fileNotes.join(", ")})` : ""}
          {state.filesUnchanged > 0 ? `  ${formatCount(state.filesUnchanged)} unchanged` : ""}
          {state.filesRemoved > 0 ? `  ${formatCount(state.filesRemoved)} removed` : ""}
        </Row>
      ) : null}
      {pastScan && cacheNotes.length > 0 ? <Row label="cache">{cacheNotes.join("; ")}</Row> : null}
      {pastScan ? (
        <Row label="entities">
          {formatCount(state.entitiesTotal)} found
          {cacheKnown
            ? ` (${formatCount(state.entitiesCached)} cached, ${formatCount(state.entitiesToEmbed)} to embed)`
            : ""}
        </Row>
      ) : null}
      {cacheKnown ? (
        <>
          <Text>
            <Styled tone="good">{formatBar(fraction, barWidth)}</Styled>
            {"  "}
            {formatPercent(fraction ?? 0).padStart(4)}
            {"  "}
            {formatEntitiesDone(state)}
          </Text>
          <Text>
            embedded <Styled tone="strong">{formatCount(state.entitiesEmbedded)}</Styled>
            {" · "}cached <Styled tone="strong">{formatCount(state.entitiesCached)}</Styled>
            {" · "}failed{" "}
            <Styled tone={state.entitiesFailed > 0 ? "bad" : "strong"}>{formatCount(state.entitiesFailed)}</Styled>
          </Text>
          <Text>
            {embedding ? `${formatRate(state.embedRatePerSec)}  ` : ""}
            {embedding && remaining > 0 ? `ETA ${formatEta(state.etaMs)}  ` : ""}
            <Styled tone="muted">elapsed {formatDuration(state.elapsedMs)}</Styled>
          </Text>
        </>
      ) : null}
      {state.phase === "storing" || state.phase === "calibrating" || state.phase === "committing" ? null : state.currentEntity !== null ? (
        <Row label="current">{formatCurrentEntity(state.currentEntity)}</Row>
      ) : state.currentFile !== null && state.phase === "extracting" ? (
        <Row label="current">{state.currentFile}</Row>
      ) : null}
    </Box>
  );
}

function Finished({ state, maxFailureRows, resumeCommand }: { state: ProgressState; maxFailureRows: number; resumeCommand: string | undefined }): ReactNode {
  const { summary } = state;
  const columns = useStdout().stdout.columns || 80;
  if (summary === null) return null;
  const failures = summary.failures;
  const table = formatFailureTable(failures, { maxRows: maxFailureRows });
  return (
    <Box flexDirection="column">
      {failures.length === 0 && summary.stopReason === null ? (
        <Styled tone="good">✔ {finishedHeadline(summary, resumeCommand)}</Styled>
      ) : (
        <Styled tone="warn">
          ⚠ {finishedHeadline(summary, resumeCommand)}
          {failures.length > 0 ? ` (${failuresByStage(failures)})` : ""}
        </Styled>
      )}
      {summaryRows(summary).map((row, index) => (
        <Row key={`summary-${index}`} label={row.label} wrap="wrap">
          {row.value}
        </Row>
      ))}
      {state.fusion === null ? null : (
        <Row label="fusion" wrap="wrap">
          {state.fusion}
        </Row>
      )}
      {failures.length === 0 ? null : table.rows.some((line) => line.length > columns) || table.header.length > columns ? (
        <FailureList failures={failures} maxFailureRows={maxFailureRows} />
      ) : (
        <Box flexDirection="column" marginTop={1}>
          <Text wrap="truncate-end">
            <Styled tone="strong">{table.header}</Styled>
          </Text>
          {table.rows.map((line, index) => (
            <Text key={`failure-${index}`} wrap="truncate-end">
              <Styled tone="bad">{line}</Styled>
            </Text>
          ))}
          {table.moreLine === null ? null : <Styled tone="muted">{table.moreLine}</Styled>}
        </Box>
      )}
    </Box>
  );
}

/** The failures on a terminal narrower than the table: two wrapped lines each (see `formatFailureList`). */
function FailureList({ failures, maxFailureRows }: { failures: readonly IndexFailure[]; maxFailureRows: number }): ReactNode {
  const list = formatFailureList(failures, { maxRows: maxFailureRows });
  return (
    <Box flexDirection="column" marginTop={1}>
      {list.entries.map((entry, index) => (
        <Box key={`failure-${index}`} flexDirection="column">
          <Text wrap="wrap">
            <Styled tone="strong">{entry.where}</Styled>
          </Text>
          <Box paddingLeft={2}>
            <Text wrap="wrap">
              <Styled tone="bad">{entry.what}</Styled>
            </Text>
          </Box>
        </Box>
      ))}
      {list.moreLine === null ? null : <Styled tone="muted">{list.moreLine}</Styled>}
    </Box>
  );
}
