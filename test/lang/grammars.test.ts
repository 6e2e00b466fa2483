// Every grammar the registry names loads with the web-tree-sitter runtime in package.json, with an
// ABI the runtime reads, and its queries compile; a Python-only run loads no other grammar.
import { execFile } from "node:child_process";
import { promisify } from "node:util";
import { describe, expect, it } from "vitest";
import { Language, LANGUAGE_VERSION, MIN_COMPATIBLE_VERSION, Parser, Query } from "web-tree-sitter";
import { LANGUAGES, grammarWasmPath } from "../../src/lang/index.js";
import { PROJECT_ROOT } from "../support/temp-dirs.js";

describe("grammars", () => {
  it.each(LANGUAGES.flatMap((language) => {
    const extra = language.grammarFor?.(`x${language.extensions.find((e) => language.grammarFor?.(`x${e}`)) ?? ""}`);
    return [
      [language.id, language.grammar, language.definitionsQuery, language.referencesQuery] as const,
      ...(extra ? [[`${language.id} (${extra.grammar.wasmFile})`, extra.grammar, extra.definitionsQuery, language.referencesQuery] as const] : []),
    ];
  }))("%s: loads with an ABI the runtime reads, and its queries compile", async (_id, grammar, definitions, references) => {
    await Parser.init();
    const language = await Language.load(grammarWasmPath(grammar));
    expect(language.abiVersion).toBeGreaterThanOrEqual(MIN_COMPATIBLE_VERSION);
    expect(language.abiVersion).toBeLessThanOrEqual(LANGUAGE_VERSION);
    expect(new Query(language, definitions).captureNames).toContain("name");
    if (references !== undefined) expect(new Query(language, references).captureNames.some((name) => name.startsWith("reference."))).toBe(true);
  });

  it("loads only the grammars of the files extracted (a Python file loads tree-sitter-python alone)", async () => {
    const script = [
      `const { extractEntities, loadedGrammars } = await import(${JSON.stringify(`${PROJECT_ROOT}dist/extract/index.js`)});`,
      `await extractEntities("a.py", "def f():\\n    pass\\n");`,
      `const afterPython = loadedGrammars();`,
      `await extractEntities("b.go", "package b\\nfunc G() {}\\n");`,
      `console.log(JSON.stringify([afterPython, loadedGrammars()]));`,
    ].join("\n");
    const { stdout } = await promisify(execFile)(process.execPath, ["--input-type=module", "-e", script]);
    expect(JSON.parse(stdout)).toEqual([
      ["tree-sitter-python/tree-sitter-python.wasm"],
      ["tree-sitter-python/tree-sitter-python.wasm", "tree-sitter-go/tree-sitter-go.wasm"],
    ]);
  });
});
