// Natural-language benchmark queries: a fixed handwritten set plus seeded ones made from the
// corpus's docstrings (their first words) and identifiers. Pure: entities in, strings out.
import { sampleInOrder, seededRandom } from "./stats.mjs";

const QUERY_SEED = 5;

/** Questions a person might ask of the corpus's packages, written for this benchmark. */
export const HANDWRITTEN_QUERIES = [
  "retry a request when the connection resets",
  "escape html special characters in a string",
  "detect the character encoding of a byte string",
  "load yaml from a string safely",
  "render a template with variables",
  "convert an internationalized domain name to ascii",
  "parse a cookie header into a dictionary",
  "prompt the user for a password with confirmation",
  "build a url from a route name and arguments",
  "read the body of a chunked http response",
  "verify the tls certificate of a server",
  "define a class with typed attributes and validators",
  "split a path into its directory and file name",
  "register a command line option with a default value",
  "cache the result of a function call",
  "decode percent encoded characters in a url",
];

/**
 * `count` queries: the handwritten ones first, then seeded picks among the first sentences of
 * docstrings (first 3–10 words, lower case, punctuation dropped), then among entity names of two
 * or more words split into words, then among `kind name` pairs, without duplicates.
 * @param chunks entities with `docstring`, `name` and `kind` (as `prepareChunks` returns them).
 * @returns exactly `count` distinct strings when the corpus has enough material, else fewer.
 */
export function buildQueries(chunks, count, seed = QUERY_SEED) {
  const random = seededRandom(seed);
  const seen = new Set();
  const queries = [];
  const add = (q) => {
    if (queries.length < count && q && !seen.has(q)) {
      seen.add(q);
      queries.push(q);
    }
  };
  for (const q of HANDWRITTEN_QUERIES) add(q);
  const fromDocstrings = chunks
    .map((c) => c.docstring?.split(/(?<=[.!?])\s|\n\s*\n/)[0] ?? "")
    .map((s) => s.toLowerCase().replace(/[^a-z0-9\s]+/g, " ").split(/\s+/).filter(Boolean).slice(0, 10))
    .filter((words) => words.length >= 3)
    .map((words) => words.join(" "));
  for (const q of sampleInOrder([...new Set(fromDocstrings)], count, random)) add(q);
  const nameWords = (c) => c.name.replace(/([a-z0-9])([A-Z])/g, "$1 $2").replace(/_+/g, " ").trim().toLowerCase();
  const fromNames = chunks.map(nameWords).filter((words) => words.split(" ").length >= 2);
  for (const q of sampleInOrder([...new Set(fromNames)], count, random)) add(q);
  // Small corpora (--quick): one-word names too, with their kind ("class markup", "method escape").
  const fromKinds = chunks.filter((c) => nameWords(c) !== "").map((c) => `${c.kind} ${nameWords(c)}`);
  for (const q of sampleInOrder([...new Set(fromKinds)], count, random)) add(q);
  return queries;
}
