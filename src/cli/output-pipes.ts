/** One of the process's output streams, named for messages. */
type StreamName = "stdout" | "stderr";

/**
 * Watches stdout and stderr for a closed reader (`codesearch … | head -1`): the EPIPE (or a write
 * after it) becomes a state instead of an unhandled `error` event with a stack trace. Like tools
 * that die of SIGPIPE, the CLI then stops writing there and exits `ExitCode.BrokenPipe` (141)
 * once what it was doing is safely finished.
 */
export interface OutputPipes {
  /** Whether `stream` (either, when omitted) lost its reader. */
  closed(stream?: StreamName): boolean;
  /** Calls `listener` once, the first time either stream loses its reader; returns an unsubscribe function. */
  onClose(listener: (stream: StreamName) => void): () => void;
  /**
   * Resolves once what was written so far has reached the streams or failed, so that a reader that
   * went away is known (a failed pipe write is reported asynchronously).
   */
  settle(): Promise<void>;
  /** Removes the error handlers. */
  dispose(): void;
}

/** Errors a write to a pipe whose reader went away produces (the first, then later writes). */
const CLOSED_CODES = new Set(["EPIPE", "ERR_STREAM_DESTROYED", "ERR_STREAM_WRITE_AFTER_END"]);

/**
 * Installs `error` handlers on `streams` (default the process's stdout and stderr). A closed-pipe
 * error marks the stream closed; any other write error is rethrown as before.
 */
export function watchOutputPipes(streams: Record<StreamName, NodeJS.WritableStream> = { stdout: process.stdout, stderr: process.stderr }): OutputPipes {
  const closed = new Set<StreamName>();
  const listeners = new Set<(stream: StreamName) => void>();
  const handlers = (Object.keys(streams) as StreamName[]).map((name) => {
    const handler = (error: NodeJS.ErrnoException): void => {
      if (!CLOSED_CODES.has(error.code ?? "")) throw error;
      if (closed.has(name)) return;
      closed.add(name);
      for (const listener of [...listeners]) listener(name);
    };
    streams[name].on("error", handler);
    return () => streams[name].off("error", handler);
  });
  return {
    closed: (stream) => (stream ? closed.has(stream) : closed.size > 0),
    onClose: (listener) => {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
    settle: async () => {
      for (const stream of Object.values(streams)) {
        await new Promise<void>((resolve) => stream.write("", () => resolve()));
      }
      await new Promise<void>((resolve) => setImmediate(resolve));
    },
    dispose: () => handlers.forEach((remove) => remove()),
  };
}
