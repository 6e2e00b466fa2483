/**
 * The kinds of definition an entity can be, in every language, and which of them are type-like.
 * Pure data: the language registry (src/lang/) says which kinds each language produces; ranking
 * and filters use these lists and never compare with "class" alone.
 */

/**
 * Every entity kind, in the order listings show them. `method` is a function whose nearest
 * enclosing definition is type-like (a Python `def` in a class body, a Go func with a receiver,
 * a Rust fn in an `impl`, a Java method or constructor).
 */
export const ENTITY_KINDS = ["function", "method", "class", "interface", "struct", "enum", "trait", "type", "macro", "module"] as const;

/** What kind of definition an entity is (see {@link ENTITY_KINDS}). */
export type EntityKind = (typeof ENTITY_KINDS)[number];

/**
 * Kinds that define a type whose members are other entities: a class and its peers in other
 * languages, and a Ruby `module` (a namespace and mixin whose `def`s are methods).
 */
export const TYPE_KINDS: readonly EntityKind[] = ["class", "interface", "struct", "enum", "trait", "type", "module"];

/** Whether `kind` defines a type (class, interface, struct, enum, trait, type alias, Ruby module) rather than code that runs. */
export function isTypeKind(kind: EntityKind): boolean {
  return TYPE_KINDS.includes(kind);
}
