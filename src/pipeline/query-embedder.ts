import { type Embedder, NothingToEmbedError } from "../embed/index.js";

/**
 * The model a search session embeds queries with, loaded on the first query that needs it and kept
 * until {@link dispose}. A failed load is not kept: the next query tries again.
 *
 * State: the load in progress or done (one at a time), and the model once loaded.
 */
export class QueryEmbedder {
  #loading: Promise<Embedder> | undefined;
  #loaded: Embedder | undefined;

  /** @param load loads the index's model (may throw ModelLoadError, IndexMismatchError). */
  constructor(private readonly load: () => Promise<Embedder>) {}

  /** True once the model has been loaded (and not disposed since). */
  get loaded(): boolean {
    return this.#loaded !== undefined;
  }

  /**
   * The query's vector (`Float32Array` of the model's dimension, as the model returns it), or null
   * when the model sees nothing in it (punctuation only, for a split-identifiers model).
   * @throws what loading the model throws (the next call loads again); Error from the model.
   */
  async embed(query: string): Promise<Float32Array | null> {
    const model = await (this.#loading ??= this.load().then(
      (loaded) => (this.#loaded = loaded),
      (error: unknown) => {
        this.#loading = undefined;
        throw error;
      },
    ));
    let vector: Float32Array | undefined;
    try {
      [vector] = await model.embed([query]);
    } catch (error) {
      if (error instanceof NothingToEmbedError) return null;
      throw error;
    }
    if (vector === undefined) throw new Error("the model returned no vector for the query");
    return vector;
  }

  /** Releases the model when one was loaded; the next query loads it again. */
  async dispose(): Promise<void> {
    const model = await this.#loading?.catch(() => undefined);
    this.#loading = undefined;
    this.#loaded = undefined;
    await model?.dispose();
  }
}
