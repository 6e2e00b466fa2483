// tree-sitter queries for TypeScript and TSX: the JavaScript patterns plus tree-sitter-typescript
// 0.23.2's queries/tags.scm (signatures, abstract classes, interfaces), type aliases and enums.
import { SCRIPT_DEFINITION_PATTERNS } from "../javascript/queries.js";

/** JavaScript's definitions plus interfaces, type aliases, enums, abstract classes, overload, member and construct (`new(…)`) signatures, and members typed as functions. */
export const TYPESCRIPT_DEFINITIONS_QUERY = `${SCRIPT_DEFINITION_PATTERNS}
(abstract_class_declaration name: (_) @name) @definition.class
(interface_declaration name: (_) @name) @definition.interface
(type_alias_declaration name: (_) @name) @definition.type
(enum_declaration name: (_) @name) @definition.enum
(function_signature name: (_) @name) @definition.function
(method_signature name: (_) @name) @definition.function
(abstract_method_signature name: (_) @name) @definition.function
(property_signature name: (_) @name type: (type_annotation (function_type))) @definition.function
((construct_signature) @definition.function (#set! name "new"))
(public_field_definition name: (_) @name value: [(arrow_function) (function_expression)]) @definition.function
`;
