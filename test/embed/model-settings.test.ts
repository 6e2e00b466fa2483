import { mkdir, writeFile } from "node:fs/promises";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { MODEL_SETTINGS_FILE, readModelSettings } from "../../src/embed/model-settings.js";
import { ModelLoadError } from "../../src/model/errors.js";
import { makeTempDir } from "../support/temp-dirs.js";

async function folderWith(settings: string | null): Promise<string> {
  const dir = path.join(await makeTempDir(), "model");
  await mkdir(dir, { recursive: true });
  if (settings !== null) await writeFile(path.join(dir, MODEL_SETTINGS_FILE), settings);
  return dir;
}

describe("readModelSettings", () => {
  it("asks for nothing when the folder has no codesearch.json", async () => {
    expect(readModelSettings(await folderWith(null))).toEqual({});
  });

  it("reads the text preparation and batch size, ignoring other keys", async () => {
    const settings = readModelSettings(await folderWith(JSON.stringify({ textPreparation: "split-identifiers", batchSize: 64, note: "x" })));
    expect(settings.textPreparation).toBe("split-identifiers");
    expect(settings.batchSize).toBe(64);
    expect(settings.prepareText!("def parseHTTPHeader(raw_bytes):")).toBe("def parse http header raw bytes");
  });

  it("reads the token-mean declaration, and ignores an embedding value it does not know", async () => {
    expect(readModelSettings(await folderWith(JSON.stringify({ embedding: "token-mean" }))).embedding).toBe("token-mean");
    expect(readModelSettings(await folderWith(JSON.stringify({ embedding: "sparse-lexicon" })))).toEqual({});
  });

  it.each([
    ["not json", "{"],
    ["an unknown preparation", JSON.stringify({ textPreparation: "stem-words" })],
    ["a batch size of 0", JSON.stringify({ batchSize: 0 })],
  ])("rejects %s with a ModelLoadError naming the file", async (_what, content) => {
    const dir = await folderWith(content);
    expect(() => readModelSettings(dir)).toThrow(ModelLoadError);
    expect(() => readModelSettings(dir)).toThrow(path.join(dir, MODEL_SETTINGS_FILE));
  });
});
