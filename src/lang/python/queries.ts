// tree-sitter queries for Python, from tree-sitter-python 0.25.0's queries/tags.scm (module-level
// constants left out: an assignment is not a definition a reader searches for).

/** Functions (`def`, `async def`) and classes at any depth; methods are functions inside a class. */
export const PYTHON_DEFINITIONS_QUERY = `
(function_definition name: (identifier) @name) @definition.function
(class_definition name: (identifier) @name) @definition.class
`;

/**
 * Reference sites, in tags.scm's `@reference.*` convention: calls, base classes, decorators, names
 * imported by `from m import name`, and every other read of a name or attribute. The extractor
 * (python/reference-walker.ts) reports these sites by walking the tree, because Python also
 * needs scope facts no query states (a name assigned anywhere in a function is local there).
 */
export const PYTHON_REFERENCES_QUERY = `
(call function: (identifier) @name) @reference.call
(call function: (attribute attribute: (identifier) @name)) @reference.call
(class_definition superclasses: (argument_list (identifier) @name)) @reference.class
(decorator (identifier) @name) @reference.decorator
(import_from_statement name: (dotted_name) @name) @reference.import
(import_from_statement name: (aliased_import name: (dotted_name) @name)) @reference.import
(attribute attribute: (identifier) @name) @reference.name
(identifier) @name @reference.name
`;
