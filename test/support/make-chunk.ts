// Builds a Chunk for tests of the embedding loops: one-line function `name` in m.py with `text`.
import type { Chunk } from "../../src/model/types.js";

/** A function chunk named `name` whose prepared text is `text` (id `m.py:1:<name>`). */
export function makeChunk(name: string, text: string): Chunk {
  return {
    id: `m.py:1:${name}`,
    path: "m.py",
    language: "python",
    kind: "function",
    name,
    qualifiedName: name,
    parentQualifiedName: null,
    startLine: 1,
    endLine: 2,
    decoratorLine: null,
    decorators: [],
    signature: `def ${name}()`,
    docstring: null,
    source: `def ${name}(): pass`,
    text,
    contentHash: "0".repeat(64),
  };
}
