/**
 * Common abbreviations in Python identifiers and the word a question would use instead
 * (`str` → `string`, `dir` → `directory`). A general list of programming shorthand, not derived
 * from any query set.
 */
const ABBREVIATIONS: ReadonlyMap<string, string> = new Map([
  ["arg", "argument"], ["args", "arguments"], ["arr", "array"], ["attr", "attribute"], ["avg", "average"],
  ["bool", "boolean"], ["buf", "buffer"], ["cfg", "configuration"], ["char", "character"], ["cmd", "command"],
  ["col", "column"], ["conf", "configuration"], ["ctx", "context"], ["db", "database"], ["del", "delete"],
  ["dest", "destination"], ["df", "dataframe"], ["dict", "dictionary"], ["dir", "directory"], ["doc", "document"],
  ["dst", "destination"], ["elem", "element"], ["env", "environment"], ["err", "error"], ["exec", "execute"],
  ["fmt", "format"], ["fn", "function"], ["func", "function"], ["hex", "hexadecimal"], ["idx", "index"],
  ["img", "image"], ["init", "initialize"], ["int", "integer"], ["len", "length"], ["msg", "message"],
  ["num", "number"], ["obj", "object"], ["param", "parameter"], ["params", "parameters"], ["pos", "position"],
  ["prev", "previous"], ["proc", "process"], ["rand", "random"], ["repr", "representation"], ["req", "request"],
  ["resp", "response"], ["sep", "separator"], ["seq", "sequence"], ["src", "source"], ["str", "string"],
  ["tmp", "temporary"], ["ts", "timestamp"], ["val", "value"], ["var", "variable"],
]);

/**
 * `words` (space-separated, lower-case) with the full word added after each known abbreviation:
 * `"get dir str"` → `"get dir directory str string"`. Other words are kept as they are.
 */
export function expandAbbreviations(words: string): string {
  return words
    .split(" ")
    .flatMap((word) => {
      const full = ABBREVIATIONS.get(word);
      return full === undefined ? [word] : [word, full];
    })
    .join(" ");
}
