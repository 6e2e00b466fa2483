// lang/ owns what differs between programming languages: extensions, grammars, definition queries,
// doc-comment, test-code and naming rules. It must not read files, parse or store: others ask it.
export type { DefinitionParts, GrammarSource, ImportFound, LanguageSpec, ReferenceRules, RepositoryFiles, TestCodeRules } from "./language-spec.js";
export {
  LANGUAGES,
  LANGUAGE_IDS,
  LANGUAGE_QUERY_WORDS,
  ENVIRONMENT_MARKERS,
  GENERATED_DIRS,
  isGeneratedFile,
  TOOL_DIRS,
  grammarWasmPath,
  isSourcePath,
  isTestCode,
  languageById,
  languageForPath,
  languageForShebang,
  type TestCodeQuestion,
} from "./registry.js";
