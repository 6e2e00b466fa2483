// The elapsed counter keeps moving through phases that send no event (issue 22, defect 4).
import { Text } from "ink";
import { render } from "ink-testing-library";
import { afterEach, describe, expect, it, vi } from "vitest";
import { initialProgressState, type ProgressState } from "../../src/report/index.js";
import { liveElapsedMs, useLiveElapsedMs } from "../../src/ui/use-live-elapsed.js";

const storing: ProgressState = { ...initialProgressState(), phase: "storing", elapsedMs: 21_400 };

describe("liveElapsedMs", () => {
  it.each([
    ["a running phase adds the time since the state arrived", storing, 7_000, 28_400],
    ["a clock that went back adds nothing", storing, -50, 21_400],
    ["a finished run shows its summary's duration", { ...storing, phase: "finished" as const }, 7_000, 21_400],
  ])("%s", (_name, state, since, expected) => {
    expect(liveElapsedMs(state, since)).toBe(expected);
  });
});

function Elapsed({ state }: { state: ProgressState }) {
  return <Text>elapsed {useLiveElapsedMs(state)}</Text>;
}

describe("useLiveElapsedMs", () => {
  afterEach(() => {
    vi.useRealTimers();
  });

  it("redraws every second while no event arrives", async () => {
    vi.useFakeTimers();
    const { lastFrame, unmount } = render(<Elapsed state={storing} />);
    expect(lastFrame()).toBe("elapsed 21400");
    await vi.advanceTimersByTimeAsync(3_000);
    expect(lastFrame()).toBe("elapsed 24400");
    unmount();
  });
});
