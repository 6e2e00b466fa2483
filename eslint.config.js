// Lint rules, including the import arrows of the house style: each folder of src/ may import only
// the folders listed for it, and only ui/ may import ink or react (cli/ only by dynamic import()).
import js from "@eslint/js";
import tseslint from "typescript-eslint";

const UI_LIBRARIES = ["ink", "ink/*", "react", "react/*", "ink-*"];
const STAGES = ["model", "lang", "discover", "extract", "embed", "rank", "store", "pipeline", "report", "serve", "ui", "watch", "cli"];

/** no-restricted-imports for a folder allowed to import only `allowed` sibling folders. */
function importArrows(folder, allowed, { uiLibraries = false } = {}) {
  const forbidden = STAGES.filter((s) => s !== folder && s !== "model" && !allowed.includes(s));
  return {
    files: [`src/${folder}/**/*.{ts,tsx}`],
    rules: {
      "no-restricted-imports": [
        "error",
        {
          patterns: [
            ...(forbidden.length
              ? [{ group: forbidden.map((s) => `../${s}/*`), message: `src/${folder}/ may import only: ${["model", ...allowed].join(", ")}` }]
              : []),
            ...(uiLibraries ? [] : [{ group: UI_LIBRARIES, message: "only src/ui/ imports ink or react (the core emits events instead)" }]),
          ],
        },
      ],
    },
  };
}

export default tseslint.config(
  { ignores: ["dist/", "node_modules/", "bench-models/", "bench-corpus/", "bench-results/", "bench-hf4/", "fixtures/"] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    languageOptions: { globals: { process: "readonly", Buffer: "readonly", console: "readonly", setTimeout: "readonly", clearTimeout: "readonly", setImmediate: "readonly", URL: "readonly", AbortController: "readonly" } },
    rules: {
      "no-empty": ["error", { allowEmptyCatch: false }],
      "@typescript-eslint/no-unused-vars": ["error", { argsIgnorePattern: "^_", varsIgnorePattern: "^_" }],
      "@typescript-eslint/switch-exhaustiveness-check": "off",
    },
  },
  {
    files: ["src/model/**/*.ts"],
    rules: {
      "no-restricted-imports": [
        "error",
        { patterns: [{ group: ["../*"], message: "src/model/ imports nothing from other folders" }, { group: UI_LIBRARIES, message: "no ink/react in model" }] },
      ],
    },
  },
  // lang/ is data about languages (extensions, grammars, queries, doc-comment and test-code rules).
  importArrows("lang", []),
  importArrows("discover", ["lang"]),
  importArrows("extract", ["lang"]),
  importArrows("embed", []),
  importArrows("rank", ["lang"]),
  // store/ builds its full-text columns with rank/'s code words.
  importArrows("store", ["lang", "rank"]),
  importArrows("report", []),
  importArrows("pipeline", ["lang", "discover", "extract", "embed", "rank", "store"]),
  // serve/ is the MCP layer: tools over pipeline/'s sessions and runs, summaries worded by report/.
  importArrows("serve", ["lang", "pipeline", "report"]),
  importArrows("ui", ["report"], { uiLibraries: true }),
  // watch/ sits beside cli/: it only schedules pipeline runs (indexRepo), so it imports the pipeline,
  // the stores' location helpers and discover/'s ignore rules (to leave ignored trees unwatched).
  importArrows("watch", ["lang", "discover", "embed", "pipeline", "store"]),
  // cli/ may import everything except ui/ statically: the Ink view is loaded with import() on a TTY only.
  importArrows("cli", ["lang", "discover", "extract", "embed", "rank", "store", "pipeline", "report", "serve", "watch"]),
);
