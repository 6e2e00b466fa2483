// tree-sitter queries for Java, from tree-sitter-java 0.23.5's queries/tags.scm, with enums,
// records, annotation types and constructors added.

/** Classes, interfaces, enums, records, annotation types, methods and constructors. */
export const JAVA_DEFINITIONS_QUERY = `
(class_declaration name: (identifier) @name) @definition.class
(record_declaration name: (identifier) @name) @definition.class
(interface_declaration name: (identifier) @name) @definition.interface
(annotation_type_declaration name: (identifier) @name) @definition.interface
(enum_declaration name: (identifier) @name) @definition.enum
(method_declaration name: (identifier) @name) @definition.function
(constructor_declaration name: (identifier) @name) @definition.function
(compact_constructor_declaration name: (identifier) @name) @definition.function
`;
