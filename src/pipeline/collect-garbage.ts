import v8 from "node:v8";
import vm from "node:vm";

let gc: (() => void) | null = null;

/**
 * Runs a full V8 garbage collection now. Used once after a large table write, before LanceDB
 * trains the vector index: the chunks released while writing sit dead in V8's old generation
 * (writing allocates short-lived strings, which never triggers a full collection), and the native
 * index build then needs ~660 MB more at 100k rows (BENCHMARKS.md, peak RSS). Takes ~0.1–0.3 s
 * for a heap of a few hundred MB.
 *
 * `gc` is exposed for this process only, the way Jest's leak detector does it
 * (`v8.setFlagsFromString('--expose-gc')`, then `vm.runInNewContext('gc')`).
 */
export function collectGarbage(): void {
  if (!gc) {
    v8.setFlagsFromString("--expose-gc");
    gc = vm.runInNewContext("gc") as () => void;
    v8.setFlagsFromString("--no-expose-gc");
  }
  gc();
}
