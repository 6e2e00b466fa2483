// Builds Chunk values for tests of pure ranking code: only what a test names differs from a
// plain one-line function.
import type { Chunk, EntityRef } from "../../src/model/types.js";

/** A chunk at `path:startLine` named by `qualifiedName`; kind, parent and name follow from the dotted name unless given. */
export function makeChunk(path: string, startLine: number, qualifiedName: string, overrides: Partial<Chunk> = {}): Chunk {
  const parts = qualifiedName.split(".");
  const name = parts.at(-1)!;
  const source = overrides.source ?? `def ${name}():\n    pass`;
  return {
    id: `${path}:${startLine}:${qualifiedName}`,
    path,
    language: "python",
    kind: parts.length > 1 ? "method" : "function",
    name,
    qualifiedName,
    parentQualifiedName: parts.length > 1 ? parts.slice(0, -1).join(".") : null,
    startLine,
    endLine: startLine + source.split("\n").length - 1,
    decoratorLine: null,
    decorators: [],
    signature: `def ${name}()`,
    docstring: null,
    source,
    text: source,
    contentHash: "0".repeat(64),
    ...overrides,
  };
}

/** What a search's candidates carry of `chunk` (its {@link EntityRef}): no source, text or docstring. */
export function refOf(chunk: Chunk): EntityRef {
  const { id, path, kind, name, qualifiedName, parentQualifiedName, startLine, endLine } = chunk;
  return { id, path, kind, name, qualifiedName, parentQualifiedName, startLine, endLine };
}
