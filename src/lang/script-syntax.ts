// What JavaScript and TypeScript share beyond their queries: JSDoc, decorators, owners of
// object-literal methods and prototype assignments, test and generated-file rules.
import type { Node } from "web-tree-sitter";
import type { DefinitionParts } from "./language-spec.js";
import { braceHeader, childrenOfTypes, outermostWrapper, precedingDocComment, stripBlockCommentLine } from "./brace-syntax.js";

const WRAPPERS = new Set(["lexical_declaration", "variable_declaration", "export_statement", "expression_statement", "ambient_declaration"]);
const DECORATOR = new Set(["decorator"]);
const DOC_RULES = {
  commentTypes: new Set(["comment"]),
  isDoc: (text: string) => text.startsWith("/**"),
  strip: stripBlockCommentLine,
  skipped: DECORATOR,
};

/** Objects that name a module rather than a type: `module.exports.f = …` has no owner. */
const MODULE_OBJECTS = new Set(["module.exports", "exports", "this", "module"]);

/** The node whose body ends a definition's header: the function of a declarator or assignment, else the definition. */
function functionOf(definition: Node): Node {
  return definition.childForFieldName("value") ?? definition.childForFieldName("right") ?? definition;
}

/** Signature, JSDoc (`/** … *\/` directly above, decorators between allowed) and decorators of a JavaScript or TypeScript definition. */
export function scriptDefinitionParts(definition: Node): DefinitionParts {
  const body = functionOf(definition).childForFieldName("body");
  const wrapper = outermostWrapper(definition, WRAPPERS);
  const decorators = [...childrenOfTypes(wrapper === definition ? null : wrapper, DECORATOR), ...childrenOfTypes(definition, DECORATOR)];
  let signature = braceHeader(definition, body);
  for (const decorator of decorators) signature = signature.replace(decorator.text.replace(/\s+/g, " "), "").trim();
  return { signature, docComment: precedingDocComment(wrapper, DOC_RULES), decorators };
}

/**
 * The owner of a definition that is not nested in a class: the object a prototype or static
 * assignment writes to (`Cart.prototype.total = function…` → `Cart`), or the variable an object
 * literal is bound to (`const api = { get() {…} }` → `api`). Null for `module.exports`/`exports`.
 */
export function scriptOwner(definition: Node): string | null {
  if (definition.type === "assignment_expression") {
    const left = definition.childForFieldName("left");
    if (left?.type !== "member_expression") return null;
    const object = (left.childForFieldName("object")?.text ?? "").replace(/\.prototype$/, "");
    return MODULE_OBJECTS.has(object) || !/^[\p{L}_$][\p{L}\p{N}_$.]*$/u.test(object) ? null : (object.split(".").pop() ?? null);
  }
  if (definition.type !== "pair" && definition.type !== "method_definition") return null;
  const object = definition.parent;
  if (object?.type !== "object") return null;
  const holder = object.parent;
  if (holder?.type === "variable_declarator") return holder.childForFieldName("name")?.text ?? null;
  if (holder?.type === "assignment_expression") {
    const left = holder.childForFieldName("left")?.text ?? "";
    return MODULE_OBJECTS.has(left) || !/^[\p{L}_$][\p{L}\p{N}_$]*$/u.test(left) ? null : left;
  }
  return null;
}

/** Test files of the common runners (Jest, Vitest, Mocha, node:test): `*.test.ts`, `*.spec.js`, `__tests__/`, `test/`. */
export const SCRIPT_TEST_CODE = {
  dirs: ["__tests__", "test", "tests", "spec"],
  fileName: /\.(test|spec)\.[cm]?[jt]sx?$/,
};
