import type { CodeEntity } from "../model/types.js";
import { languageById, languageForPath } from "../lang/index.js";
import { loadGrammarParser } from "./grammar-parser.js";

/**
 * The entity as it would read without its doc comment: `docstring` null, `source` with its common
 * indentation removed (as the embedded text has it) and, for a language whose doc comment is a
 * statement inside the body (`LanguageSpec.docStatement`, a Python docstring), that statement cut
 * out (whole lines, a trailing comment included, when it stands on lines of its own, as it nearly
 * always does; else replaced by `pass`). Doc comments written above a definition are not part of
 * its source, so for those languages only `docstring` changes. Used to build calibration answers
 * (CodeSearchNet's rule: the doc comment is the query, the code without it the answer), so an
 * answer never contains its own query.
 * @returns the entity unchanged when it has no doc comment, or tree-sitter finds no doc statement in its source.
 * @throws Error when the grammar cannot be loaded.
 */
export async function stripDocstring(entity: CodeEntity): Promise<CodeEntity> {
  if (entity.docstring === null) return entity;
  const language = languageForPath(entity.path) ?? languageById(entity.language);
  const lines = entity.source.split("\n");
  const margin = Math.min(...lines.filter((line) => line.trim() !== "").map((line) => line.length - line.trimStart().length));
  // A method's source starts indented; tree-sitter wants the definition at column 0.
  const text = lines.map((line) => line.slice(Math.min(margin, line.length - line.trimStart().length))).join("\n");
  const docStatement = language?.docStatement;
  if (language === null || docStatement === undefined) return { ...entity, source: text, docstring: null };
  const parser = await loadGrammarParser(language.grammar, language.definitionsQuery);
  const range = parser.parse(text, (root) => {
    const statement = docStatement(root);
    if (statement === null) return null;
    return { startRow: statement.startPosition.row, endRow: statement.endPosition.row, startIndex: statement.startIndex, endIndex: statement.endIndex };
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
