import { createRequire } from "node:module";
import { isTypeKind, type EntityKind } from "../model/entity-kinds.js";
import type { GrammarSource, LanguageSpec } from "./language-spec.js";
import { go } from "./go/index.js";
import { java } from "./java/index.js";
import { javascript } from "./javascript/index.js";
import { python } from "./python/index.js";
import { ruby } from "./ruby/index.js";
import { rust } from "./rust/index.js";
import { typescript } from "./typescript/index.js";

/** Every language codesearch indexes, in the order listings show them. */
export const LANGUAGES: readonly LanguageSpec[] = [python, typescript, javascript, go, rust, java, ruby];

/** The ids of {@link LANGUAGES} (`python`, …), for option validation. */
export const LANGUAGE_IDS: readonly string[] = LANGUAGES.map((language) => language.id);

const byExtension = new Map<string, LanguageSpec>();
for (const language of LANGUAGES) for (const extension of language.extensions) if (!byExtension.has(extension)) byExtension.set(extension, language);

/** The language with id `id`, or null. */
export function languageById(id: string): LanguageSpec | null {
  return LANGUAGES.find((language) => language.id === id) ?? null;
}

/** The extension of a path's file name with its dot (`.ts` for `a/b.test.ts`), or "" when it has none. */
function extensionOf(path: string): string {
  const name = path.slice(path.lastIndexOf("/") + 1);
  const dot = name.lastIndexOf(".");
  return dot < 0 ? "" : name.slice(dot);
}

/** The language a file is written in, judged by its extension (case-sensitive, as `.py` always was), or null. */
export function languageForPath(path: string): LanguageSpec | null {
  return byExtension.get(extensionOf(path)) ?? null;
}

/**
 * The language a `#!` line names (`#!/usr/bin/env python3`, `#!/usr/bin/node`), or null.
 * @param firstLine the file's first line.
 */
export function languageForShebang(firstLine: string): LanguageSpec | null {
  const match = /^#!\s*(\S+)(?:\s+(\S+))?/.exec(firstLine);
  if (match === null) return null;
  const program = match[1]!.slice(match[1]!.lastIndexOf("/") + 1);
  const interpreter = program === "env" ? (match[2] ?? "") : program;
  return LANGUAGES.find((language) => language.shebangs.includes(interpreter)) ?? null;
}

/** Whether discovery indexes a file of this name: its extension belongs to some language. */
export function isSourcePath(path: string): boolean {
  return byExtension.has(extensionOf(path));
}

/**
 * Absolute path of a grammar's `.wasm` file, resolved from its npm package next to this module.
 * @throws Error when the package or the file is not installed.
 */
export function grammarWasmPath(grammar: GrammarSource): string {
  return createRequire(import.meta.url).resolve(`${grammar.packageName}/${grammar.wasmFile}`);
}

/** What {@link isTestCode} looks at. */
export interface TestCodeQuestion {
  /** Repository-relative POSIX path. */
  path: string;
  kind: EntityKind;
  name: string;
  /** Decorators or attributes as written (`@pytest.fixture`, `#[test]`); none when unknown. */
  decorators?: readonly string[];
}

/**
 * Whether an entity is test code by its language's conventions ({@link LanguageSpec.testCode}): its
 * file is a test file (by directory or file name), or it is a function or method named or marked
 * as a test. Types are judged by their file only: `TestResult` in library code is not a test. A
 * path of no known language is judged by nothing and is not test code.
 */
export function isTestCode(entity: TestCodeQuestion): boolean {
  const language = languageForPath(entity.path);
  if (language === null) return false;
  const rules = language.testCode;
  const parts = entity.path.split("/");
  const file = parts.pop() ?? "";
  if (parts.some((dir) => rules.dirs.includes(dir))) return true;
  const dirPath = `/${parts.join("/")}/`;
  if (rules.dirPaths?.some((prefix) => dirPath.includes(`/${prefix}/`))) return true;
  if (rules.fileName.test(file)) return true;
  if (isTypeKind(entity.kind)) return false;
  if (rules.functionName?.test(entity.name)) return true;
  const marker = rules.decorator;
  return marker !== undefined && (entity.decorators ?? []).some((decorator) => marker.test(decorator));
}

/** Directory names some language's tools fill (caches, environments), never indexed. */
export const TOOL_DIRS: readonly string[] = LANGUAGES.flatMap((language) => language.toolDirs);

/** Directory names of generated or vendored code (`LanguageSpec.generated`), skipped by default and reported. */
export const GENERATED_DIRS: readonly string[] = [...new Set(LANGUAGES.flatMap((language) => language.generated.dirs))];

/** Whether a file name is generated code by its language's rules (`*.min.js`, `*.pb.go`). */
export function isGeneratedFile(path: string): boolean {
  const pattern = languageForPath(path)?.generated.fileName;
  return pattern !== undefined && pattern.test(path.slice(path.lastIndexOf("/") + 1));
}

/** File names that mark a directory as an environment (a virtualenv) to skip whole. */
export const ENVIRONMENT_MARKERS: readonly string[] = LANGUAGES.flatMap((language) => language.environmentMarkers);

/** Words that name a language ("python", "golang"), dropped from full-text queries: they name the language, not the code. */
export const LANGUAGE_QUERY_WORDS: ReadonlySet<string> = new Set(LANGUAGES.flatMap((language) => language.queryWords));
