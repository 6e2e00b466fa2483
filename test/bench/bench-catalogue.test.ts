// scripts/bench/README.md is the one catalogue of the benchmark scripts: it must name each of them.
import { readdirSync, readFileSync } from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { PROJECT_ROOT } from "../support/temp-dirs.js";

const BENCH_DIR = path.join(PROJECT_ROOT, "scripts", "bench");

describe("the benchmark catalogue", () => {
  it("lists every script of scripts/bench in a table row of its README", () => {
    const catalogue = readFileSync(path.join(BENCH_DIR, "README.md"), "utf8");
    const scripts = readdirSync(BENCH_DIR).filter((name) => name.endsWith(".mjs"));
    expect(scripts.length).toBeGreaterThan(0);
    const missing = scripts.filter((name) => !catalogue.includes(`| [\`${name}\`](${name}) |`));
    expect(missing).toEqual([]);
  });
});
