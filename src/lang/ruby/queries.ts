// tree-sitter queries for Ruby, from tree-sitter-ruby 0.23.1's queries/tags.scm: methods (a `def`
// is a function, a method inside a class or module), classes and modules; `class << self` blocks
// are not definitions of their own, so their methods belong to the enclosing class.

/** Methods and singleton methods (`def self.x`), classes and modules, named plainly or by scope (`class A::B`). */
export const RUBY_DEFINITIONS_QUERY = `
(method name: (_) @name) @definition.function
(singleton_method name: (_) @name) @definition.function
(class name: [(constant) @name (scope_resolution name: (_) @name)]) @definition.class
(module name: [(constant) @name (scope_resolution name: (_) @name)]) @definition.module
`;
