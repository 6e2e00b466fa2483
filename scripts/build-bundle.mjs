// @ts-check
/**
 * Bundles the compiled CLI (dist/cli/main.js and everything it imports, dynamic imports as chunks)
 * into dist/bundle/, which bin/codesearch.js loads when it is at least as new as dist/cli/main.js.
 *
 * Why: a `codesearch search --mode lexical` process loaded ~560 module files (apache-arrow alone
 * 268, zod 95, @opentelemetry/api 51, our own ~100), and resolving and reading them one by one cost
 * more than compiling them (issue 22, BENCHMARKS.md "Issue 22: start-up and indexing speed").
 * One file per entry and chunk removes that cost. Packages that load native binaries, WebAssembly
 * or their own files by path stay external (they are resolved from node_modules as before), and so
 * do the model runtimes and the terminal UI, which only some commands import (dynamically).
 *
 * Usage: node scripts/build-bundle.mjs [--outdir <folder>]   (after `tsc -p tsconfig.json`; `npm run
 * build` runs both). The default folder is dist/bundle/; another must also sit two levels below the
 * project root (the bundled code finds models/ relative to itself, as dist/<stage>/ does).
 */
import { rmSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { build } from "esbuild";

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");
const outdirFlag = process.argv.indexOf("--outdir");
const outdir = outdirFlag > 0 ? path.resolve(process.argv[outdirFlag + 1]) : path.join(root, "dist", "bundle");

/**
 * Left to Node's own resolution: native addons (and the packages that locate them by path),
 * WebAssembly grammars and their loaders, the model runtimes, and Ink/React (loaded only on a TTY).
 */
const EXTERNAL = [
  "*.node",
  "@lancedb/lancedb-*",
  "@parcel/watcher",
  "fs-native-extensions",
  "onnxruntime-node",
  "@xenova/transformers",
  "sharp",
  "web-tree-sitter",
  "tree-sitter-*",
  "ink",
  "ink-*",
  "react",
  "react/*",
  "react-devtools-core",
];

rmSync(outdir, { recursive: true, force: true });
await build({
  entryPoints: { main: path.join(root, "dist", "cli", "main.js") },
  outdir,
  bundle: true,
  splitting: true,
  format: "esm",
  platform: "node",
  target: "node20",
  external: EXTERNAL,
  // Bundled CommonJS packages call require() and read __filename/__dirname; ES modules have neither.
  banner: {
    js: [
      'import { createRequire as __codesearchCreateRequire } from "node:module";',
      'import { fileURLToPath as __codesearchFileURLToPath } from "node:url";',
      "const require = __codesearchCreateRequire(import.meta.url);",
      "const __filename = __codesearchFileURLToPath(import.meta.url);",
      'const __dirname = __codesearchFileURLToPath(new URL(".", import.meta.url));',
    ].join("\n"),
  },
  chunkNames: "chunk-[hash]",
  logLevel: "warning",
  legalComments: "none",
});
