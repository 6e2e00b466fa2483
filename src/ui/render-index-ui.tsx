/**
 * Entry the CLI `import()`s on an interactive terminal: mounts the Ink progress view and hands
 * back the sink the indexing core writes to.
 */
import { render } from "ink";
import { type ReactNode, useMemo } from "react";
import type { IndexEventSink } from "../model/events.js";
import { IndexProgressView } from "./IndexProgressView.js";
import { createProgressStore, useIndexProgress } from "./use-index-progress.js";
import type { ProgressStore } from "./use-index-progress.js";
import { useLiveElapsedMs } from "./use-live-elapsed.js";

/** Options of `startIndexUi`. */
export interface IndexUiOptions {
  /** Stream Ink draws on; default `process.stderr` (progress is diagnostics; stdout stays for results). */
  stdout?: NodeJS.WriteStream;
  /** Style the output; default `colorEnabled(env)`. */
  color?: boolean;
  /** Environment consulted for `NO_COLOR`; default `process.env`. */
  env?: NodeJS.ProcessEnv;
  /** Least ms between two re-renders; default 100. */
  throttleMs?: number;
  /** Failures listed in the final table before `… and N more`; default 20. */
  maxFailureRows?: number;
  /** Let Ink print `console.*` output above the view instead of through it; default true. */
  patchConsole?: boolean;
  /** The command that resumes a stopped run, shown in its headline; default `codesearch index`. */
  resumeCommand?: string;
}

/** A mounted progress UI. */
export interface IndexUi {
  /** Hand this to the core; events are folded at once and drawn at most every `throttleMs`. */
  sink: IndexEventSink;
  /**
   * Draws the latest state (the summary, when `index-finished` arrived), unmounts and resolves
   * once Ink has written its last frame, which stays on screen. Safe to call more than once.
   */
  finish(): Promise<void>;
}

/**
 * False when `NO_COLOR` is set to a non-empty value (https://no-color.org), else true. Ink's
 * chalk already turns colour off for non-TTY streams and honours `FORCE_COLOR`, but ignores
 * `NO_COLOR`, so the view is told explicitly.
 */
export function colorEnabled(env: NodeJS.ProcessEnv = process.env): boolean {
  const noColor = env["NO_COLOR"];
  return noColor === undefined || noColor === "";
}

/** Mounts the progress view on `options.stdout` (default stderr) and returns its sink and `finish`. */
export function startIndexUi(options: IndexUiOptions = {}): IndexUi {
  const store = createProgressStore(options.throttleMs === undefined ? {} : { throttleMs: options.throttleMs });
  const color = options.color ?? colorEnabled(options.env ?? process.env);
  const instance = render(
    <IndexProgressApp store={store} color={color} maxFailureRows={options.maxFailureRows ?? 20} resumeCommand={options.resumeCommand} />,
    { stdout: options.stdout ?? process.stderr, patchConsole: options.patchConsole ?? true },
  );
  let finishing: Promise<void> | null = null;
  const finish = (): Promise<void> => {
    finishing ??= (async () => {
      store.flush();
      await new Promise<void>((resolve) => setImmediate(resolve));
      instance.unmount();
      await instance.waitUntilExit();
      store.dispose();
    })();
    return finishing;
  };
  return { sink: store.sink, finish };
}

function IndexProgressApp({
  store,
  color,
  maxFailureRows,
  resumeCommand,
}: {
  store: ProgressStore;
  color: boolean;
  maxFailureRows: number;
  resumeCommand: string | undefined;
}): ReactNode {
  const published = useIndexProgress(store);
  const elapsedMs = useLiveElapsedMs(published);
  const state = useMemo(() => ({ ...published, elapsedMs }), [published, elapsedMs]);
  return <IndexProgressView state={state} color={color} maxFailureRows={maxFailureRows} {...(resumeCommand !== undefined ? { resumeCommand } : {})} />;
}
