// tree-sitter queries for Python, from tree-sitter-python 0.25.0's queries/tags.scm (module-level
// constants left out: an assignment is not a definition a reader searches for).

/** Functions (`def`, `async def`) and classes at any depth; methods are functions inside a class. */
export const PYTHON_DEFINITIONS_QUERY = `
(function_definition name: (identifier) @name) @definition.function
(class_definition name: (identifier) @name) @definition.class
`;

/** Calls and class uses, as tags.scm captures them. */
export const PYTHON_REFERENCES_QUERY = `
(call
  function: [
      (identifier) @name
      (attribute
        attribute: (identifier) @name)
  ]) @reference.call
`;
