import type { CodeEntity } from "../model/types.js";
import { loadPythonParser } from "./python-parser.js";

/**
 * The entity as it would read without its docstring: the docstring's statement cut out of `source`
 * (whole lines, a trailing comment included, when it stands on lines of its own, as it nearly always does; else replaced by `pass`), `docstring` null,
 * everything else unchanged. `source` loses its common indentation (as the embedded text does). Used to build calibration answers
 * (CodeSearchNet's rule: the docstring is the query, the code without it the answer), so an
 * answer never contains its own query.
 * @returns the entity unchanged when it has no docstring or tree-sitter finds no docstring
 *   statement in its source.
 * @throws Error when the grammar cannot be loaded.
 */
export async function stripDocstring(entity: CodeEntity): Promise<CodeEntity> {
  if (entity.docstring === null) return entity;
  const parser = await loadPythonParser();
  const lines = entity.source.split("\n");
  const margin = Math.min(...lines.filter((line) => line.trim() !== "").map((line) => line.length - line.trimStart().length));
  // A method's source starts indented; tree-sitter wants the definition at column 0.
  const text = lines.map((line) => line.slice(Math.min(margin, line.length - line.trimStart().length))).join("\n");
  const range = parser.parse(text, (root) => {
    const definition = root.namedChildren.find((node) => node?.type === "function_definition" || node?.type === "class_definition");
    const first = definition?.childForFieldName("body")?.namedChildren.find((child) => child !== null && child.type !== "comment");
    if (first?.type !== "expression_statement") return null;
    const expression = first.namedChild(0);
    if (expression?.type !== "string" && expression?.type !== "concatenated_string") return null;
    return { startRow: first.startPosition.row, endRow: first.endPosition.row, startIndex: first.startIndex, endIndex: first.endIndex };
  });
  if (range === null) return entity;
  const lineStart = text.lastIndexOf("\n", range.startIndex - 1) + 1;
  const lineEnd = text.indexOf("\n", range.endIndex);
  const before = text.slice(lineStart, range.startIndex);
  const after = text.slice(range.endIndex, lineEnd === -1 ? text.length : lineEnd);
  const textLines = text.split("\n");
  const stripped =
    before.trim() === "" && (after.trim() === "" || after.trim().startsWith("#"))
      ? [...textLines.slice(0, range.startRow), ...textLines.slice(range.endRow + 1)].join("\n")
      : `${text.slice(0, range.startIndex)}pass${text.slice(range.endIndex)}`;
  return { ...entity, source: stripped, docstring: null };
}
