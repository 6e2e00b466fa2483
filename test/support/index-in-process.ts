// Runs indexRepo in this process with the committed test model, collecting its events.
import type { IndexEvent } from "../../src/model/events.js";
import type { IndexSummary } from "../../src/model/types.js";
import { indexRepo, type IndexRepoOptions } from "../../src/pipeline/index-repo.js";
import { countingLoader } from "./counting-loader.js";
import { testModelOptions } from "./test-model-options.js";

/**
 * Indexes `repoRoot` into `<repoRoot>/.codesearch` with the test model (offline, through a
 * counting loader unless `overrides.loadEmbedder` replaces it).
 * @returns the summary, every event in order, and how often the counting loader loaded the model.
 */
export async function indexInProcess(
  repoRoot: string,
  overrides: Partial<IndexRepoOptions> = {},
): Promise<{ summary: IndexSummary; events: IndexEvent[]; loads: number }> {
  const events: IndexEvent[] = [];
  const loader = countingLoader();
  const summary = await indexRepo({
    ...testModelOptions(repoRoot),
    sink: (e) => events.push(e),
    loadEmbedder: loader,
    ...overrides,
  });
  return { summary, events, loads: loader.loads };
}
