// tree-sitter queries for JavaScript, from tree-sitter-javascript 0.25.0's queries/tags.scm, with
// classes bound to names, class fields holding functions and `export default` added. TypeScript's
// query (typescript/queries.ts) starts from these patterns.

/** Patterns JavaScript and TypeScript share (name nodes matched by `(_)`, as the grammars name them differently). */
export const SCRIPT_DEFINITION_PATTERNS = `
(function_declaration name: (_) @name) @definition.function
(generator_function_declaration name: (_) @name) @definition.function
(class_declaration name: (_) @name) @definition.class
(class name: (_) @name) @definition.class
(method_definition name: (_) @name) @definition.function
(variable_declarator name: (identifier) @name value: [(arrow_function) (function_expression) (generator_function)]) @definition.function
(variable_declarator name: (identifier) @name value: (class)) @definition.class
(assignment_expression
  left: [(identifier) @name (member_expression property: (property_identifier) @name)]
  right: [(arrow_function) (function_expression) (generator_function)]) @definition.function
(pair key: [(property_identifier) (string) (number)] @name value: [(arrow_function) (function_expression) (generator_function)]) @definition.function
(export_statement value: [(arrow_function) (function_expression) (generator_function)] @definition.function (#set! name "default"))
(export_statement value: (class) @definition.class (#set! name "default"))
`;

/** Functions, generators, classes, methods (object-literal ones too), functions bound to names, class fields holding functions, `export default`. */
export const JAVASCRIPT_DEFINITIONS_QUERY = `${SCRIPT_DEFINITION_PATTERNS}
(field_definition property: (property_identifier) @name value: [(arrow_function) (function_expression)]) @definition.function
`;
