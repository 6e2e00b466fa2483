import { EventEmitter } from "node:events";
import { createRequire } from "node:module";
import { pathToFileURL } from "node:url";
import { afterEach, describe, it, expect, vi } from "vitest";
import { render } from "ink-testing-library";
import type { IndexEvent } from "../../src/model/events.js";
import type { IndexFailure } from "../../src/model/types.js";
import { initialProgressState, reduceProgress } from "../../src/report/index.js";
import type { ProgressState } from "../../src/report/index.js";
import { IndexProgressView } from "../../src/ui/IndexProgressView.js";
import { colorEnabled, startIndexUi } from "../../src/ui/render-index-ui.js";
import { createProgressStore } from "../../src/ui/use-index-progress.js";
import { T0, scriptedRun, summary } from "../support/scripted-run.js";


/** State after the first `count` events of the scripted run. */
function after(count: number): ProgressState {
  return scriptedRun().slice(0, count).reduce(reduceProgress, initialProgressState());
}

function frame(state: ProgressState, props: { maxFailureRows?: number; color?: boolean } = {}): string {
  const { lastFrame, unmount } = render(<IndexProgressView state={state} color={props.color ?? false} {...props} />);
  const text = lastFrame() ?? "";
  unmount();
  return text;
}

afterEach(() => {
  vi.useRealTimers();
});

describe("IndexProgressView while running", () => {
  it("shows the phase while scanning", () => {
    expect(frame(after(1))).toBe("codesearch index /repo  model codebert-base\nscanning for source files…");
  });

  it("shows files and the current file while extracting", () => {
    expect(frame(after(4)).split("\n")).toEqual([
      "codesearch index /repo  model codebert-base",
      "extracting entities…",
      "files     2/4 (1 skipped)",
      "entities  5 found",
      "current   pkg/b.py",
    ]);
  });

  it("shows the bar, counts, rate, ETA and current entity while embedding", () => {
    expect(frame(after(13)).split("\n")).toEqual([
      "codesearch index /repo  model codebert-base (768-d)",
      "files     4/4 (1 failed, 1 skipped)",
      "entities  9 found (4 cached, 5 to embed)",
      "███████████████████████░░░░░░░   77%  7/9",
      "embedded 2 · cached 4 · failed 1",
      "10.0/s  ETA 1 s  elapsed 1.3 s",
      "current   pkg/c.py:40 Big.method",
    ]);
  });

  it("says the model is loading and leaves out rate and ETA", () => {
    const lines = frame(after(9)).split("\n");
    expect(lines[1]).toBe("loading model codebert-base…");
    expect(lines.slice(-2)).toEqual(["embedded 0 · cached 4 · failed 0", "elapsed 180 ms"]);
  });

  it("shows the store phase with a full bar", () => {
    const lines = frame(after(17)).split("\n");
    expect(lines[1]).toBe("writing 8 rows to LanceDB…");
    expect(lines).toContain("██████████████████████████████  100%  9/9");
    expect(lines.at(-1)).toBe("elapsed 1.7 s");
  });
});

describe("IndexProgressView after the rows are stored", () => {
  it("names fusion calibration while it runs, then the commit", () => {
    const stored = after(18);
    const calibrating = reduceProgress(stored, { type: "fusion-calibrating", elapsedMs: T0 + 1_800 });
    expect(frame(calibrating).split("\n")[1]).toBe("calibrating hybrid search on the repository's documented functions…");
    const calibrated = reduceProgress(calibrating, { type: "fusion-calibrated", elapsedMs: T0 + 2_300, calibrated: true, vectorWeight: 0.4, note: "calibrated on 120 documented functions", modelCalls: 120, durationMs: 500 });
    expect(frame(calibrated).split("\n")[1]).toBe("committing the index…");
  });
});

describe("IndexProgressView when finished", () => {
  it("shows the summary and the failure table", () => {
    expect(frame(after(19)).split("\n")).toEqual([
      "codesearch index /repo  model codebert-base (768-d)",
      "⚠ finished with 2 failures (1 parse, 1 embed)",
      "files     3 indexed of 4 (1 failed, 1 skipped)",
      "entities  9 found: 4 embedded, 4 from cache, 1 failed",
      "skipped   data/big.py (too large, 2.1 MB)",
      "failures  2: 1 parse, 1 embed",
      "time      2.3 s",
      "index     /repo/.codesearch (8 rows, model codebert-base, 768-d)",
      "",
      "file:line        entity      stage  reason",
      "pkg/broken.py:7  -           parse  syntax error: unexpected indent at line 7",
      "pkg/c.py:40      Big.method  embed  input too long",
    ]);
  });

  it("prints repository text with control characters as visible escapes, coloured or not", () => {
    const evil = "evil\u001b]0;PWNED\u0007name.py";
    const failures: IndexFailure[] = [
      { path: evil, stage: "parse", message: 'syntax error near "\u001b[31;43mPAYLOAD = )))"', line: 4 },
      { path: "clear\u001b[2Jme.py", stage: "read", message: "unreadable" },
    ];
    const running = [
      { type: "run-started", elapsedMs: T0, startedAt: "2026-11-30T12:00:00.000Z", repoRoot: "/repo\u001b[2J", indexDir: "/i", modelId: "m" },
      { type: "file-extracted", elapsedMs: T0, path: evil, entityCount: 1 },
    ] as IndexEvent[];
    const states = [
      running.reduce(reduceProgress, initialProgressState()),
      reduceProgress(initialProgressState(), { type: "index-finished", elapsedMs: T0, summary: { ...summary, failures } }),
    ];
    for (const state of states) {
      for (const color of [false, true]) {
        const text = frame(state, { color });
        expect(text).not.toContain("\u001b]");
        expect(text).not.toContain("\u0007");
        expect(text).not.toContain("\u001b[2J");
        expect(text).not.toContain("\u001b[31;43m");
      }
    }
    expect(frame(states[0]!)).toContain("evil\\x1b]0;PWNED\\x07name.py");
    expect(frame(states[1]!)).toContain("\\x1b[31;43mPAYLOAD");
  });

  it("adds a cache row while running when the cache was damaged, and none for an intact or new one", () => {
    const events = scriptedRun().slice(0, 13);
    const at = events.findIndex((e) => e.type === "cache-checked");
    const withCache = (patch: Partial<Extract<IndexEvent, { type: "cache-checked" }>>) =>
      events.map((e, i): IndexEvent => (i === at ? ({ ...e, ...patch } as IndexEvent) : e)).reduce(reduceProgress, initialProgressState());
    const cacheRow = (state: ProgressState) => frame(state).split("\n").filter((line) => line.startsWith("cache "));
    expect(cacheRow(withCache({}))).toEqual([]);
    expect(cacheRow(withCache({ cacheState: "new" }))).toEqual([]);
    expect(cacheRow(withCache({ entriesDiscarded: 12 }))).toEqual(["cache     12 damaged cache entries dropped; re-embedding"]);
    expect(cacheRow(withCache({ cacheState: "outdated-replaced" }))).toEqual(["cache     cache was of an older format without checksums; replaced, rebuilding"]);
  });

  it("limits the failure table", () => {
    const failures: IndexFailure[] = Array.from({ length: 25 }, (_, i) => ({
      path: `m${String(i).padStart(2, "0")}.py`,
      stage: "embed",
      message: "model returned NaN",
      line: i + 1,
      qualifiedName: `f${i}`,
    }));
    const state = reduceProgress(initialProgressState(), {
      type: "index-finished",
      elapsedMs: T0,
      summary: { ...summary, failures },
    });
    const lines = frame(state, { maxFailureRows: 3 }).split("\n");
    expect(lines.slice(-5)).toEqual([
      "file:line  entity  stage  reason",
      "m00.py:1   f0      embed  model returned NaN",
      "m01.py:2   f1      embed  model returned NaN",
      "m02.py:3   f2      embed  model returned NaN",
      "… and 22 more",
    ]);
    expect(lines[1]).toBe("⚠ finished with 25 failures (25 embed)");
  });

  it("says finished without a table when nothing failed", () => {
    const state = reduceProgress(initialProgressState(), {
      type: "index-finished",
      elapsedMs: T0,
      summary: { ...summary, failures: [], filesIndexed: 4, filesSkipped: [] },
    });
    const text = frame(state);
    expect(text.split("\n")[1]).toBe("✔ finished");
    expect(text).not.toContain("file:line");
  });
});

describe("colour", () => {
  it.each([
    [{}, true],
    [{ NO_COLOR: "" }, true],
    [{ NO_COLOR: "1" }, false],
    [{ NO_COLOR: "0", FORCE_COLOR: "1" }, false],
  ])("colorEnabled(%j) is %s", (env, enabled) => {
    expect(colorEnabled(env)).toBe(enabled);
  });

  it("styles only when colour is on, even where chalk would colour", async () => {
    // The chalk instance Ink itself uses; forced to colour so that only the prop decides.
    const inkEntry = createRequire(import.meta.url).resolve("ink");
    const chalkPath = createRequire(inkEntry).resolve("chalk");
    const chalk = ((await import(pathToFileURL(chalkPath).href)) as { default: { level: number } }).default;
    const level = chalk.level;
    chalk.level = 1;
    try {
      expect(frame(after(19), { color: true })).toContain("\u001b[");
      expect(frame(after(13), { color: true })).toContain("\u001b[");
      expect(frame(after(19), { color: false })).not.toContain("\u001b");
      expect(frame(after(13), { color: false })).not.toContain("\u001b");
    } finally {
      chalk.level = level;
    }
  });
});

describe("createProgressStore", () => {
  it("folds every event but publishes at most every throttleMs, phase changes at once", () => {
    vi.useFakeTimers();
    vi.setSystemTime(T0);
    const store = createProgressStore({ throttleMs: 100 });
    let published = 0;
    store.subscribe(() => {
      published++;
    });
    const events = scriptedRun();
    for (const event of events.slice(0, 10)) store.sink(event);
    // Phases changed at run-started, scan-finished, model-loading and model-loaded; the other
    // events fell inside the 100 ms after a publish.
    expect(published).toBe(4);
    expect(store.getSnapshot().phase).toBe("embedding");

    for (const event of events.slice(10, 13)) store.sink(event);
    expect(published).toBe(4);
    expect(store.getSnapshot().entitiesEmbedded).toBe(0);
    vi.advanceTimersByTime(100);
    expect(published).toBe(5);
    expect(store.getSnapshot().entitiesEmbedded).toBe(2);
    expect(store.getSnapshot().entitiesFailed).toBe(1);

    store.sink(events[13] as IndexEvent);
    const before = store.getSnapshot();
    expect(store.getSnapshot()).toBe(before);
    store.flush();
    expect(published).toBe(6);
    expect(store.getSnapshot().entitiesEmbedded).toBe(3);
    store.dispose();
  });
});

/** A minimal non-TTY WriteStream for Ink that keeps what was written. */
class CollectingStream extends EventEmitter {
  constructor(readonly columns = 100) {
    super();
  }
  readonly rows = 40;
  readonly isTTY = false;
  text = "";
  write(chunk: string): boolean {
    this.text += chunk;
    return true;
  }
}

describe("startIndexUi", () => {
  it("leaves the final summary on the stream after finish", async () => {
    const stream = new CollectingStream();
    const ui = startIndexUi({
      stdout: stream as unknown as NodeJS.WriteStream,
      color: false,
      throttleMs: 0,
      patchConsole: false,
    });
    for (const event of scriptedRun()) ui.sink(event);
    await ui.finish();
    await ui.finish();
    expect(stream.text).toContain("⚠ finished with 2 failures (1 parse, 1 embed)");
    expect(stream.text).toContain("pkg/c.py:40      Big.method  embed  input too long");
    expect(stream.text).not.toContain("\u001b[3");
  });
});

describe("startIndexUi: the final summary on narrow terminals", () => {
  it.each([80, 120])("at %i columns keeps the whole index path, row count and resume command", async (columns) => {
    const stream = new CollectingStream(columns);
    const ui = startIndexUi({ stdout: stream as unknown as NodeJS.WriteStream, color: false, throttleMs: 0, patchConsole: false, resumeCommand: "codesearch index /home/user/src/some-project --model fixtures/model" });
    const indexDir = "/home/user/src/a-rather-long-project-name/with/nested/folders/that-go-on/.codesearch";
    for (const event of scriptedRun()) {
      ui.sink(event.type === "index-finished" ? { ...event, summary: { ...event.summary, indexDir, stopReason: "interrupted", filesPending: 1, chunksPending: 3 } } : event);
    }
    await ui.finish();
    const lastFrame = stream.text.slice(stream.text.lastIndexOf("codesearch index /repo"));
    // Wrapped lines may break inside a word (at a hyphen): compare with all whitespace removed.
    const squeezed = lastFrame.replace(/\s+/g, "");
    expect(squeezed).toContain(`${indexDir}(8rows,modelcodebert-base,768-d)`);
    expect(squeezed).toContain("run`codesearchindex/home/user/src/some-project--modelfixtures/model`toresume");
    expect(Math.max(...lastFrame.split("\n").map((line) => line.length))).toBeLessThanOrEqual(columns);
  });
});

describe("startIndexUi: 60 columns (issue 22)", () => {
  it("keeps the model name and every failure's whole reason, each line within the width", async () => {
    const columns = 60;
    const stream = new CollectingStream(columns);
    const ui = startIndexUi({ stdout: stream as unknown as NodeJS.WriteStream, color: false, throttleMs: 0, patchConsole: false });
    const reason = "the model's tokenizer refused this entity's text because it holds more than 512 tokens after truncation";
    const renamed = <T extends object>(o: T): T => ({
      ...o,
      ...("repoRoot" in o ? { repoRoot: "/home/user/src/a-project-with-a-long-name" } : {}),
      ...("modelId" in o ? { modelId: "nomic-ai/CodeRankEmbed-quantized" } : {}),
    });
    for (const event of scriptedRun()) {
      if (event.type !== "index-finished") ui.sink(renamed(event));
      else {
        const failures = event.summary.failures.map((f) => ({ ...f, path: `src/deeply/nested/package/${f.path}`, message: reason }));
        ui.sink({ ...event, summary: renamed({ ...event.summary, failures }) });
      }
    }
    await ui.finish();
    const lastFrame = stream.text.slice(stream.text.lastIndexOf("codesearch index /home"));
    const squeezed = lastFrame.replace(/\s+/g, "");
    expect(squeezed).toContain("modelnomic-ai/CodeRankEmbed-quantized");
    expect(squeezed.split(reason.replace(/\s+/g, "")).length - 1).toBe(2);
    expect(squeezed).toContain("src/deeply/nested/package/pkg/c.py:40Big.method");
    expect(Math.max(...lastFrame.split("\n").map((line) => line.length))).toBeLessThanOrEqual(columns);
  });
});

describe("IndexProgressView: incremental runs", () => {
  it("says it is stopping after Ctrl-C, and shows an interrupted summary with how to resume", () => {
    const stopping = reduceProgress(after(12), { type: "stop-requested", elapsedMs: T0 + 1_450, reason: "interrupted" });
    expect(frame(stopping)).toContain("stopping after the current batch; what is embedded will be saved");
    const finished = reduceProgress(stopping, {
      type: "index-finished",
      elapsedMs: T0 + 2_000,
      summary: { ...summary, stopReason: "interrupted", filesIndexed: 2, filesPending: 1, chunksPending: 3, failures: [] },
    });
    expect(frame(finished).replace(/\n/g, " ")).toContain("⚠ interrupted: 2 files committed (8 entities in the index); 1 file, 3 entities left — run `codesearch index` to resume");
  });

  it("shows unchanged and removed files while running", () => {
    const state = reduceProgress(after(3), { type: "plan-ready", elapsedMs: T0 + 60, filesToRead: 4, filesAdded: 1, filesChanged: 3, filesUnchanged: 20, filesRemoved: 2, fullRebuildReason: null });
    expect(frame(state)).toMatch(/files {5}\d+\/4.*20 unchanged {2}2 removed/);
  });
});

describe("the final summary after the last embedding (issue 22, defect 4)", () => {
  const fusion: IndexEvent = { type: "fusion-calibrated", elapsedMs: T0 + 2_300, calibrated: true, vectorWeight: 0.4, note: "calibrated on 120 documented functions", modelCalls: 120, durationMs: 2_100 };

  it("names calibration while it runs, instead of the LanceDB write that came before it", () => {
    const events = scriptedRun();
    const storing = events.findIndex((e) => e.type === "store-started");
    const calibrating: IndexEvent = { type: "fusion-calibrating", elapsedMs: T0 + 2_200 };
    const before = events.slice(0, storing + 1).reduce(reduceProgress, initialProgressState());
    expect(frame(before)).toContain("to LanceDB…");
    const state = [...events.slice(0, storing + 1), calibrating].reduce(reduceProgress, initialProgressState());
    expect(state.phase).toBe("calibrating");
    expect(frame(state)).toContain("calibrating hybrid search on the repository's documented functions…");
    expect(frame(state)).not.toContain("to LanceDB…");
  });

  it("shows the fusion line the plain reporter prints", () => {
    const events = scriptedRun();
    const state = [...events.slice(0, -1), fusion, events.at(-1)!].reduce(reduceProgress, initialProgressState());
    expect(frame(state)).toContain("fusion    vector weight 0.4; calibrated on 120 documented functions (120 texts embedded, 2.1 s)");
  });

  it("never shows a 0-d model in the header when the run stopped before the model loaded", () => {
    const stopped: IndexEvent[] = [
      { type: "run-started", elapsedMs: T0, startedAt: "2026-11-30T12:00:00.000Z", repoRoot: "/r", indexDir: "/r/.codesearch", modelId: "m" },
      { type: "index-finished", elapsedMs: T0 + 10, summary: { ...summary, dimension: 0, chunksStored: 0, stopReason: "interrupted" } },
    ];
    const output = frame(stopped.reduce(reduceProgress, initialProgressState()));
    expect(output).toContain("codesearch index");
    expect(output).not.toContain("0-d");
  });
});
