#!/usr/bin/env node
// Entry point of the `codesearch` command. Keeps LanceDB's Rust logger to errors only, then runs the compiled CLI.
process.env.LANCEDB_LOG ??= "error";

const { runCli } = await import("../dist/cli/main.js").catch((error) => {
  if (error?.code === "ERR_MODULE_NOT_FOUND" && String(error.message).includes("dist/cli/main.js")) {
    process.stderr.write("codesearch: not built yet; run `npm install` (or `npm run build`) in the codesearch folder\n");
    process.exit(70);
  }
  throw error;
});
const exitCode = await runCli(process.argv);
process.exitCode = exitCode;
// Native modules (onnxruntime, LanceDB) can keep the event loop alive; the work is done and flushed.
process.stdout.write("", () => process.stderr.write("", () => process.exit(exitCode)));
