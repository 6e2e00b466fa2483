// tree-sitter queries for Go, from tree-sitter-go 0.25.0's queries/tags.scm, with types split by
// what they define (struct, interface, other) and type aliases added.

/** Functions, methods (funcs with a receiver; see `ownerType`), structs, interfaces and other named types. */
export const GO_DEFINITIONS_QUERY = `
(function_declaration name: (identifier) @name) @definition.function
(method_declaration name: (field_identifier) @name) @definition.function
(type_spec name: (type_identifier) @name type: (struct_type)) @definition.struct
(type_spec name: (type_identifier) @name type: (interface_type)) @definition.interface
(type_spec name: (type_identifier) @name) @definition.type
(type_alias name: (type_identifier) @name) @definition.type
`;
