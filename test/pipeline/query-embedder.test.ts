// The search session's query model on its own: loaded once on first use, a failed load tried
// again, and released by dispose.
import { describe, expect, it } from "vitest";
import { loadTransformersEmbedder } from "../../src/embed/transformers-embedder.js";
import type { Embedder } from "../../src/embed/index.js";
import { QueryEmbedder } from "../../src/pipeline/query-embedder.js";
import { TEST_MODEL_DIR } from "../support/temp-dirs.js";

const loadTestModel = () =>
  loadTransformersEmbedder({ source: { kind: "local", dir: TEST_MODEL_DIR }, cacheDir: "/nonexistent", offline: true, maxTokens: 512 });

describe("QueryEmbedder", () => {
  it("loads the model on the first query only, and again after dispose", async () => {
    let loads = 0;
    const disposed: Embedder[] = [];
    const queries = new QueryEmbedder(async () => {
      loads++;
      const model = await loadTestModel();
      const dispose = model.dispose.bind(model);
      model.dispose = async () => {
        disposed.push(model);
        await dispose();
      };
      return model;
    });
    expect(queries.loaded).toBe(false);
    const [a, b] = await Promise.all([queries.embed("parse a config file"), queries.embed("parse a config file")]);
    expect(loads).toBe(1);
    expect(queries.loaded).toBe(true);
    expect(a).toBeInstanceOf(Float32Array);
    expect(Array.from(a!)).toEqual(Array.from(b!));
    await queries.dispose();
    expect(queries.loaded).toBe(false);
    expect(disposed).toHaveLength(1);
    await queries.embed("another query");
    expect(loads).toBe(2);
    await queries.dispose();
  });

  it("does not keep a failed load: the next query loads again", async () => {
    let loads = 0;
    const queries = new QueryEmbedder(async () => {
      if (++loads === 1) throw new Error("hub unreachable");
      return loadTestModel();
    });
    await expect(queries.embed("read a file")).rejects.toThrow("hub unreachable");
    expect(queries.loaded).toBe(false);
    expect(await queries.embed("read a file")).toBeInstanceOf(Float32Array);
    expect(loads).toBe(2);
    await queries.dispose();
  });
});
