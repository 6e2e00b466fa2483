#!/usr/bin/env node
// Compares codesearch's references with gopls's on a Go module (issue 21: references per language
// against a type-aware reference).
//
// Usage: node scripts/agent-tools/references-vs-gopls.mjs REPO [--sample N] [--seed S] [--explain N] [--no-index]
//
// REPO is a Go module (a go.mod at its root, dependencies not needed when it has none; e.g. a copy
// of Debian's golang-github-google-go-cmp-dev, /usr/share/gocode/src/github.com/google/go-cmp).
// gopls (Debian's gopls) runs as one daemon for the whole comparison (`gopls serve`, each query
// through `gopls -remote`), offline (GOPROXY=off). Otherwise as references-vs-typescript.mjs: a
// reference is the (file, line, column) of a name inside REPO, the definition itself left out.
import { execFileSync, spawn } from "node:child_process";
import { mkdtempSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { commandLine, compareReferences, sourceTexts } from "./reference-agreement.mjs";

const { repo, sample, seed, explain, flags } = commandLine(process.argv.slice(2), { sample: 20, seed: 21, explain: 0 });
const texts = sourceTexts(repo, /\.go$/);
const home = mkdtempSync(path.join(os.tmpdir(), "gopls-home-"));
const env = { ...process.env, HOME: home, GOPROXY: "off", GOFLAGS: "-mod=mod" };
const socket = path.join(home, "gopls.sock");
const daemon = spawn("gopls", ["serve", `-listen=unix;${socket}`], { cwd: repo, env, stdio: "ignore" });
await new Promise((resolve) => setTimeout(resolve, 1500));

/** gopls's references of the definition's name (its first occurrence on the definition's line), or null when gopls finds no object there. */
function goplsReferences(entity) {
  const line = texts.get(entity.path)?.split("\n")[entity.startLine - 1] ?? "";
  const match = new RegExp(`(?<![\\w])${entity.name}(?![\\w])`).exec(line.replace(/^func\s*\([^)]*\)/, (receiver) => " ".repeat(receiver.length)));
  if (match === null) return null;
  const column = Buffer.byteLength(line.slice(0, match.index)) + 1;
  let output;
  try {
    output = execFileSync("gopls", [`-remote=unix;${socket}`, "references", `${path.join(repo, entity.path)}:${entity.startLine}:${column}`], { cwd: repo, env, encoding: "utf8", stdio: ["ignore", "pipe", "ignore"] });
  } catch {
    return null;
  }
  const found = new Set();
  for (const row of output.split("\n")) {
    const parsed = /^(.*):(\d+):(\d+)-\d+$/.exec(row.trim());
    if (parsed === null) continue;
    const file = path.relative(repo, parsed[1]);
    if (file.startsWith("..") || !texts.has(file)) continue;
    const text = texts.get(file).split("\n")[Number(parsed[2]) - 1] ?? "";
    // gopls counts bytes; codesearch columns count UTF-16 code units.
    const character = Buffer.from(text).subarray(0, Number(parsed[3]) - 1).toString().length + 1;
    if (file === entity.path && Number(parsed[2]) === entity.startLine && character === match.index + 1) continue;
    found.add(`${file}:${parsed[2]}:${character}`);
  }
  return found;
}

try {
  const report = await compareReferences({ repo, sample, seed, explain, noIndex: flags.has("no-index"), texts, expectedOf: goplsReferences });
  console.log(JSON.stringify({ ...report, gopls: execFileSync("gopls", ["version"], { env, encoding: "utf8" }).split("\n")[0] }, null, 2));
} finally {
  daemon.kill();
}
