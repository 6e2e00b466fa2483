#!/usr/bin/env node
// Entry point of the `codesearch` command. Keeps LanceDB's Rust logger to errors only, then runs the compiled CLI:
// the bundle (dist/bundle/, one file per entry and chunk; see scripts/build-bundle.mjs) when it is at least as
// new as what tsc compiled, else dist/cli/main.js itself (after a bare `tsc`, before the bundle is rebuilt).
import { statSync } from "node:fs";

process.env.LANCEDB_LOG ??= "error";

const mtimeMs = (relative) => {
  try {
    return statSync(new URL(relative, import.meta.url)).mtimeMs;
  } catch {
    return -1;
  }
};
const bundleIsFresh = mtimeMs("../dist/bundle/main.js") >= mtimeMs("../dist/cli/main.js");
const { runCli } = await import(bundleIsFresh ? "../dist/bundle/main.js" : "../dist/cli/main.js").catch((error) => {
  if (error?.code === "ERR_MODULE_NOT_FOUND" && String(error.message).includes("dist/cli/main.js")) {
    process.stderr.write("codesearch: not built yet; run `npm install` (or `npm run build`) in the codesearch folder\n");
    process.exit(70);
  }
  throw error;
});
const exitCode = await runCli(process.argv);
process.exitCode = exitCode;
// Leave by letting the event loop drain: only then do native modules run their clean-up (LanceDB
// removes the $TMPDIR/.tmpXXXXXX folder each connection makes; a forced exit left one per command).
// Should a native handle keep the loop alive, the output is flushed and the process ended after a
// grace period; the timer is unref'd, so it never delays a normal exit.
const GRACE_MS = 2000;
setTimeout(() => process.stdout.write("", () => process.stderr.write("", () => process.exit(exitCode))), GRACE_MS).unref();
