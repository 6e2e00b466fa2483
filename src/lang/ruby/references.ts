// How Ruby names definitions: calls (with or without a receiver, a bare identifier that is no
// local is a call of `self`'s method), `Const.new`, superclasses, constants; every file sees
// every other's constants (what `require` loads is global), and nested constants are lexical.

import type { ReferenceRules } from "../language-spec.js";

/** `Cart.new` (instantiates Cart), calls, superclasses, scoped and bare constants, and bare identifiers (calls when no local). */
export const RUBY_SITES_QUERY = `
(call receiver: (constant) @name method: (identifier) @_new (#eq? @_new "new")) @reference.new
(call receiver: (scope_resolution scope: (_) @qualifier name: (constant) @name) method: (identifier) @_new (#eq? @_new "new")) @reference.new
(call receiver: (_) @qualifier method: (identifier) @name) @reference.call
(call !receiver method: (identifier) @name) @reference.call
(superclass (constant) @name) @reference.inherit
(superclass (scope_resolution scope: (_) @qualifier name: (constant) @name)) @reference.inherit
(scope_resolution scope: (_) @qualifier name: (constant) @name) @reference.name
(constant) @name @reference.name
(identifier) @name @reference.call
`;

/** Parameters of methods, blocks and lambdas, and assigned variables (with the class of `x = Const.new`). */
export const RUBY_LOCALS_QUERY = `
(assignment left: (identifier) @local right: (call receiver: [(constant) (scope_resolution)] @local.type method: (identifier) @_new (#eq? @_new "new")))
(assignment left: (identifier) @local)
(operator_assignment left: (identifier) @local)
(left_assignment_list (identifier) @local)
(method_parameters (identifier) @local)
(lambda_parameters (identifier) @local)
(block_parameters (identifier) @local)
(optional_parameter name: (identifier) @local)
(splat_parameter name: (identifier) @local)
(hash_splat_parameter name: (identifier) @local)
(keyword_parameter name: (identifier) @local)
(block_parameter name: (identifier) @local)
(for pattern: (identifier) @local)
(exception_variable (identifier) @local)
`;

/** `class A < B` → `B` (`B::C` → `B.C`). */
function rubyBaseTypes(signature: string): string[] {
  const base = /<\s*([\w:]+)/.exec(signature);
  return base === null ? [] : [base[1]!.replace(/::/g, ".")];
}

/** Ruby's reference rules: constants are global and lexical, a bare call is `self`'s. */
export const RUBY_REFERENCE_RULES: ReferenceRules = {
  localsQuery: RUBY_LOCALS_QUERY,
  selfNames: ["self"],
  superNames: [],
  implicitSelf: true,
  lexicalTypes: true,
  visibility: "repository",
  baseTypes: rubyBaseTypes,
  submodule: () => null,
  resolveModule: () => null,
};
