// What the qualifier of a reference site (`cart` in `cart.total()`) stands for inside its file: a
// declared type, a typed field, what a variable was assigned, `self`, `super()`; pure text rules
// shared by the query-driven reference extraction. It knows no language: the words come from ReferenceRules.

/** A plain chain of names (`a.b.c`), each part optionally written `f()` (what `f` returns). */
const CHAIN = /^[\p{L}_$@][\p{L}\p{N}_$@]*(\(\))?(\.[\p{L}_$@][\p{L}\p{N}_$@]*(\(\))?)*$/u;
/** A plain chain of names without calls. */
const NAMES = /^[\p{L}_$@][\p{L}\p{N}_$@]*(\.[\p{L}_$@][\p{L}\p{N}_$@]*)*$/u;
/** Most substitutions of a variable by what it was assigned, for one qualifier (`a = b.c; b = …`). */
const MAX_SUBSTITUTIONS = 4;

/** `a.b.c` for a chain of names (`::` and `->` read as `.`, whitespace dropped), `?` for any other text. */
export function qualifierText(text: string): string {
  const chain = text.replace(/::/g, ".").replace(/\s+/g, "");
  return NAMES.test(chain) ? chain : "?";
}

/** Whether `text` is a chain of names whose parts may be calls (`cart.items().first`). */
export function isCallChain(text: string): boolean {
  return CHAIN.test(text);
}

/**
 * The type a declared type names, as a chain: `*Cart`, `&Cart`, `Cart<T>`, `Cart[T]` → `Cart`,
 * `pkg.Cart` / `pkg::Cart` → `pkg.Cart`, `Cart | null` / `undefined | Cart` → `Cart`; `?` for an
 * array (`Cart[]`), a union of several types, or any other shape.
 */
export function declaredTypeName(text: string): string {
  const members = topLevelParts(text, "|")
    .map((part) => part.trim())
    .filter((part) => part !== "" && part !== "null" && part !== "undefined");
  if (members.length !== 1 || /\[\s*\]$/.test(members[0]!)) return "?";
  return qualifierText(members[0]!.replace(/^[*&\s]+|\s*[<[].*$/gs, ""));
}

/** `text` split at `separator` outside brackets of any kind. */
function topLevelParts(text: string, separator: string): string[] {
  const parts: string[] = [];
  let depth = 0;
  let start = 0;
  for (let i = 0; i < text.length; i++) {
    const char = text[i]!;
    if ("<([{".includes(char)) depth++;
    else if (">)]}".includes(char)) depth--;
    else if (char === separator && depth === 0) {
      parts.push(text.slice(start, i));
      start = i + 1;
    }
  }
  parts.push(text.slice(start));
  return parts;
}

/** A variable's binding as the locals query records it: a declared type (`Cart`), what it was assigned (`this.cart`, `cart.New()`), or null when untyped. */
export type LocalBinding = { type: string } | { assigned: string } | null;

/** What the words of a qualifier mean at a site. */
export interface QualifierScope {
  /** The binding of a local or (as `self.<field>`) a field visible at the site; undefined when none. */
  local(word: string): LocalBinding | undefined;
  /** Whether `word` names the enclosing type's instance (`this`, `self`, a Go receiver). */
  isSelf(word: string): boolean;
  /** Whether `word` names the enclosing type's base (`super`). */
  isSuper(word: string): boolean;
  /** Members that read as their type (`prototype`). */
  typeMembers: ReadonlySet<string>;
}

/**
 * The qualifier a site records for the written chain `written`: `self` (the enclosing type),
 * `super()`, the declared type of a local or typed field put in place of its name (`c.total` with
 * `c: Cart` → `Cart.total`; `this.cart.total` with a field `cart: Cart` → `Cart.total`), what a
 * variable was assigned put in place of it and read again (`const c = this.cart`), `?` for a value
 * of unknown type, else the chain as written (a module, a type, an import).
 */
export function resolveQualifier(written: string, scope: QualifierScope, substitutions = 0): string {
  if (written === "?" || substitutions > MAX_SUBSTITUTIONS) return "?";
  const parts = written.split(".").filter((part, index) => index === 0 || !scope.typeMembers.has(part));
  const [first, ...rest] = parts as [string, ...string[]];
  const replaced = (binding: LocalBinding | undefined, word: string, after: readonly string[]): string => {
    if (binding === undefined) return "?";
    if (binding === null) return "?";
    if ("type" in binding) return [binding.type, ...after].join(".");
    // `cart := cart.New()` reads the outer `cart` (a package): no second substitution.
    if (binding.assigned.split(".")[0]!.replace(/\(\)$/, "") === word) return [binding.assigned, ...after].join(".");
    return resolveQualifier([binding.assigned, ...after].join("."), scope, substitutions + 1);
  };
  if (scope.isSelf(first)) {
    const [field, ...after] = rest;
    if (field === undefined) return "self";
    // `this.items().first`: what the own method returns, resolved with the type's members.
    if (field.endsWith("()")) return ["self", field, ...after].join(".");
    return replaced(scope.local(`self.${field}`), "self", after);
  }
  if (rest.length === 0 && scope.isSuper(first)) return "super()";
  // `make().total` with a local `make`: what the variable's function returns is unknown.
  if (first.endsWith("()")) return scope.local(first.slice(0, -2)) === undefined && !scope.isSelf(first.slice(0, -2)) ? parts.join(".") : "?";
  const binding = scope.local(first);
  return binding === undefined ? parts.join(".") : replaced(binding, first, rest);
}
