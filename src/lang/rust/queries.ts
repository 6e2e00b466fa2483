// tree-sitter queries for Rust, from tree-sitter-rust 0.24.0's queries/tags.scm, with kinds split
// (struct, enum, trait, type alias) and trait method declarations added; modules left out.

/** Functions (methods inside `impl` and `trait`), structs, unions, enums, traits, type aliases and a trait's associated types, `macro_rules!`. */
export const RUST_DEFINITIONS_QUERY = `
(function_item name: (identifier) @name) @definition.function
(function_signature_item name: (identifier) @name) @definition.function
(struct_item name: (type_identifier) @name) @definition.struct
(union_item name: (type_identifier) @name) @definition.struct
(enum_item name: (type_identifier) @name) @definition.enum
(trait_item name: (type_identifier) @name) @definition.trait
(type_item name: (type_identifier) @name) @definition.type
(associated_type name: (type_identifier) @name) @definition.type
(macro_definition name: (identifier) @name) @definition.macro
`;
