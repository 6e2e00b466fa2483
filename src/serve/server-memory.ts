import v8 from "node:v8";
import vm from "node:vm";

/**
 * Quiet time after the last tool call before the server collects garbage (ms). Agents call in
 * bursts with seconds of thinking between them; 2 s of quiet rarely falls inside a burst, and a
 * full collection of the server's heap takes tens of ms (a call arriving meanwhile waits that long).
 */
export const IDLE_COLLECTION_DELAY_MS = 2_000;

/**
 * V8's `semi_space_growth_factor` for the server (V8's default: 2). Under steady allocation V8
 * doubles the young generation up to its maximum (16 MiB per semi-space on 64-bit: 32 MiB
 * committed) and gives it back only in its "memory reducer" GCs, which ran after the table load
 * (it left garbage) but not after a steady burst of searches. Factor 1 keeps the young generation
 * at its initial size. Measured with `scripts/bench/mcp-latency.mjs` at 5,000 rows (BENCHMARKS.md,
 * issue 13, "Third round"): RSS after 1,000 searches, 30 s idle, +20 % → +8 % of the RSS after
 * the first search, and no change in search latency.
 */
export const SERVER_SEMI_SPACE_GROWTH_FACTOR = 1;

/**
 * Sets V8 up for a long-lived server process that should idle at a steady size: the young
 * generation stays small ({@link SERVER_SEMI_SPACE_GROWTH_FACTOR}), and V8's full garbage
 * collection is made callable, for {@link idleCollector}. V8 collects its old generation only
 * under allocation pressure, so without a collection a server that goes quiet keeps the garbage of
 * its last burst.
 *
 * Both are V8 flags set at run time with `v8.setFlagsFromString` (Node leaves V8's flags
 * writable after start-up; its documentation warns that a flag may then not take effect). These two
 * are read when used: the growth factor each time the young generation would grow
 * (V8 src/heap/new-spaces.cc), `--expose-gc` when a context is created (`gc` is taken from a new one).
 * Affects the whole process; call it once, in a process that serves.
 * @returns the full collection, or null when the runtime refuses it.
 */
export function configureServerHeap(): (() => void) | null {
  v8.setFlagsFromString(`--semi-space-growth-factor=${SERVER_SEMI_SPACE_GROWTH_FACTOR}`);
  const existing = (globalThis as { gc?: unknown }).gc;
  if (typeof existing === "function") return existing as () => void;
  try {
    v8.setFlagsFromString("--expose-gc");
    const gc: unknown = vm.runInNewContext("gc");
    return typeof gc === "function" ? (gc as () => void) : null;
  } catch {
    return null;
  }
}

/** What {@link idleCollector} returns. */
export interface IdleCollector {
  /** A tool call ended: (re)start the quiet period. */
  activity(): void;
  /** Cancels a pending collection (the server is closing). */
  stop(): void;
}

/**
 * Runs `collect` once after each burst of activity: `delayMs` after the last {@link IdleCollector.activity}
 * call, never while calls keep coming closer together than that. The timer does not keep the
 * process alive.
 */
export function idleCollector(collect: () => void, delayMs: number = IDLE_COLLECTION_DELAY_MS): IdleCollector {
  let timer: NodeJS.Timeout | undefined;
  return {
    activity() {
      clearTimeout(timer);
      timer = setTimeout(collect, delayMs);
      timer.unref();
    },
    stop() {
      clearTimeout(timer);
      timer = undefined;
    },
  };
}
