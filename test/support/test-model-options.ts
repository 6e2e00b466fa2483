// The options an in-process run of the committed test model starts from, shared by indexInProcess and startWatchSession.
import path from "node:path";
import { TEST_MODEL_DIR } from "./temp-dirs.js";

/**
 * Index `repoRoot` into `<repoRoot>/.codesearch` with the committed test model, offline; the model
 * download folder does not exist, so nothing can come from a user's cache.
 */
export function testModelOptions(repoRoot: string) {
  return {
    repoRoot,
    indexDir: path.join(repoRoot, ".codesearch"),
    cwd: repoRoot,
    model: TEST_MODEL_DIR,
    modelCacheDir: "/nonexistent-model-cache",
    offline: true,
  };
}
