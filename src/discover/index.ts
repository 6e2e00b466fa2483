/**
 * discover/ owns finding the source files of a repository and reading them as text.
 * It must not parse, embed, store or print.
 */
export * from "./discover-files.js";
export * from "./read-source.js";
