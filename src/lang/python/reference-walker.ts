// Python's reference sites, read by a walk over the syntax tree: which names are references, of
// what kind, in which scope. A query cannot say which names are local (a name assigned anywhere in
// a function is local there), so Python reads its references here rather than from its query.
import type { Node } from "web-tree-sitter";
import type { FileReferences, ImportBinding, ReferenceKind, ReferenceSite } from "../../model/references.js";

const DEFINITIONS = new Set(["function_definition", "class_definition"]);
/** Nodes that hold a pattern whose names are bound, not read. */
const PATTERN_TYPES = new Set(["pattern_list", "tuple_pattern", "list_pattern", "list_splat_pattern", "parenthesized_expression", "as_pattern_target", "expression_list", "tuple", "list"]);
const PARAMETER_CONTAINERS = new Set(["parameters", "lambda_parameters", "list_splat_pattern", "dictionary_splat_pattern"]);
/** Names that never refer to a definition of the repository. */
const IGNORED_NAMES = new Set(["self", "cls"]);

/**
 * The reference sites, imports and module-level assignments of one parsed Python file. A bare
 * name that is a parameter or assigned anywhere in an enclosing function (and not declared
 * `global`) is a local variable there, not a reference, and is left out. Pure.
 */
export function pythonReferences(root: Node): FileReferences {
  const walker = new ReferenceWalker();
  walker.visit(root, { enclosingLine: 0, locals: [], binds: null });
  // A function's locals are complete only once its whole body was walked (a name assigned after its use is local too).
  const isLocal = (name: string, frames: readonly LocalFrame[]) => frames.some((frame) => frame.names.has(name) && !frame.declared.has(name));
  const sites = walker.sites.filter((site, index) => {
    const frames = walker.bareNameFrames.get(index);
    return frames === undefined || !isLocal(site.name, frames);
  });
  return { sites, imports: walker.imports, assignments: [...walker.assignments].map(([name, line]) => ({ name, line })) };
}

/** The names a function (or lambda) binds, filled while its body is walked, and those it declares `global`/`nonlocal`. */
interface LocalFrame {
  names: Set<string>;
  declared: Set<string>;
}

interface Scope {
  /** Start line of the innermost definition, 0 at module level. */
  enclosingLine: number;
  /** The frames of the enclosing functions, innermost last. */
  locals: LocalFrame[];
  /** The frame a name bound here goes to: the innermost function's, null at module level and directly in a class body. */
  binds: LocalFrame | null;
}

class ReferenceWalker {
  readonly sites: ReferenceSite[] = [];
  /** For each bare-name site (by index in `sites`), the frames that would make it a local: checked once the walk is over. */
  readonly bareNameFrames = new Map<number, readonly LocalFrame[]>();
  readonly imports: ImportBinding[] = [];
  readonly assignments = new Map<string, number>();
  /** The ancestors of the node being visited, root first: `node.parent` costs a walk from the root in tree-sitter, this does not. */
  private readonly ancestors: Node[] = [];

  visit(node: Node, scope: Scope): void {
    this.ancestors.push(node);
    try {
      this.visitChildren(node, scope);
    } finally {
      this.ancestors.pop();
    }
  }

  private visitChildren(node: Node, scope: Scope): void {
    switch (node.type) {
      case "function_definition":
      case "class_definition": {
        // The header (parameters' defaults, bases) is read in the outer scope; the body in the definition's own.
        const frame: LocalFrame | null = node.type === "function_definition" ? { names: parameterNames(node), declared: new Set() } : null;
        const inner: Scope = {
          enclosingLine: node.startPosition.row + 1,
          locals: frame === null ? scope.locals : [...scope.locals, frame],
          // A class body's names are its attributes, local to no function.
          binds: frame,
        };
        for (const child of node.namedChildren) {
          if (child === null) continue;
          this.visit(child, child.type === "block" ? inner : scope);
        }
        return;
      }
      case "lambda": {
        const parameters = node.childForFieldName("parameters");
        const names = new Set(parameters === null ? [] : parameters.namedChildren.flatMap((p) => (p?.type === "identifier" ? [p.text] : [])));
        const frame: LocalFrame = { names, declared: new Set() };
        const inner: Scope = { enclosingLine: scope.enclosingLine, locals: [...scope.locals, frame], binds: frame };
        for (const child of node.namedChildren) if (child !== null) this.visit(child, inner);
        return;
      }
      case "import_statement":
      case "import_from_statement":
        this.recordImport(node, scope);
        return;
      case "identifier":
        this.ancestors.pop();
        try {
          this.recordName(node, scope);
        } finally {
          this.ancestors.push(node);
        }
        return;
      case "attribute":
        this.ancestors.pop();
        try {
          this.recordAttribute(node, scope);
        } finally {
          this.ancestors.push(node);
        }
        break;
      default:
        if (scope.enclosingLine === 0) this.recordModuleAssignment(node);
    }
    // Only named nodes can hold names: punctuation and keywords are not visited.
    if (node.namedChildCount === 0) return;
    for (const child of node.namedChildren) if (child !== null) this.visit(child, scope);
  }

  /** Called with `ancestors` ending at the node's parent. */
  private recordName(node: Node, scope: Scope): void {
    const parent = this.ancestors.at(-1);
    if (parent === undefined || IGNORED_NAMES.has(node.text)) return;
    if (parent.type === "attribute" && isField(parent, "attribute", node)) return;
    if (DEFINITIONS.has(parent.type) && isField(parent, "name", node)) return;
    if (parent.type === "keyword_argument" && isField(parent, "name", node)) return;
    if (isParameterName(node, parent)) return;
    if (isBoundTarget(node, this.ancestors)) {
      const declares = parent.type === "global_statement" || parent.type === "nonlocal_statement";
      (declares ? scope.binds?.declared : scope.binds?.names)?.add(node.text);
      return;
    }
    if (scope.locals.length > 0) this.bareNameFrames.set(this.sites.length, scope.locals);
    this.push(node, referenceKindOf(node, this.ancestors), node.text, null, scope);
  }

  private recordAttribute(node: Node, scope: Scope): void {
    const name = node.childForFieldName("attribute");
    const object = node.childForFieldName("object");
    if (name === null || object === null) return;
    this.push(name, referenceKindOf(node, this.ancestors), name.text, qualifierText(object), scope);
  }

  private recordImport(node: Node, scope: Scope): void {
    const line = node.startPosition.row + 1;
    if (node.type === "import_statement") {
      for (const child of node.namedChildren) {
        if (child?.type === "dotted_name") this.imports.push({ line, scopeLine: scope.enclosingLine, module: child.text, name: null, alias: child.text.split(".")[0]! });
        else if (child?.type === "aliased_import") {
          const module = child.childForFieldName("name")?.text;
          const alias = child.childForFieldName("alias")?.text;
          if (module && alias) this.imports.push({ line, scopeLine: scope.enclosingLine, module, name: null, alias });
        }
      }
      return;
    }
    const moduleNode = node.childForFieldName("module_name");
    if (moduleNode === null) return;
    const module = moduleNode.text.replace(/\s+/g, "");
    for (const child of node.namedChildren) {
      if (child === null || child.id === moduleNode.id) continue;
      if (child.type === "wildcard_import") {
        this.imports.push({ line, scopeLine: scope.enclosingLine, module, name: null, alias: "*" });
        continue;
      }
      const nameNode = child.type === "aliased_import" ? child.childForFieldName("name") : child.type === "dotted_name" ? child : null;
      if (nameNode === null) continue;
      const alias = child.type === "aliased_import" ? (child.childForFieldName("alias")?.text ?? nameNode.text) : nameNode.text;
      this.imports.push({ line, scopeLine: scope.enclosingLine, module, name: nameNode.text, alias });
      this.push(nameNode, "import", nameNode.text, module, scope);
    }
  }

  /** Module-level `name = …`, `for name in …`, `with … as name`: the last binding line of each name. */
  private recordModuleAssignment(node: Node): void {
    const target =
      node.type === "assignment" || node.type === "augmented_assignment"
        ? node.childForFieldName("left")
        : node.type === "for_statement"
          ? node.childForFieldName("left")
          : node.type === "as_pattern"
            ? node.childForFieldName("alias")
            : null;
    if (target === null) return;
    for (const name of boundNames(target)) this.assignments.set(name, node.startPosition.row + 1);
  }

  private push(node: Node, kind: ReferenceKind, name: string, qualifier: string | null, scope: Scope): void {
    this.sites.push({ line: node.startPosition.row + 1, column: node.startPosition.column + 1, kind, name, qualifier, enclosingLine: scope.enclosingLine });
  }
}

function isField(parent: Node, field: string, child: Node): boolean {
  return parent.childForFieldName(field)?.id === child.id;
}

/** How the expression `node` (a name or attribute; `ancestors` end at its parent) is used: called, a base class, a decorator, or read. */
function referenceKindOf(node: Node, ancestors: readonly Node[]): ReferenceKind {
  const parent = ancestors.at(-1);
  const grandparent = ancestors.at(-2);
  if (parent === undefined) return "name";
  if (parent.type === "call" && isField(parent, "function", node)) {
    return grandparent?.type === "decorator" ? "decorator" : "call";
  }
  if (parent.type === "decorator") return "decorator";
  if (parent.type === "argument_list" && grandparent?.type === "class_definition") return "inherit";
  return "name";
}

/** `a.b.c` for a chain of names, `super()` for a call of super, `?` for any other expression. */
function qualifierText(object: Node): string {
  if (object.type === "identifier") return object.text;
  if (object.type === "attribute") {
    const inner = object.childForFieldName("object");
    const name = object.childForFieldName("attribute");
    if (inner === null || name === null) return "?";
    const left = qualifierText(inner);
    return left === "?" ? "?" : `${left}.${name.text}`;
  }
  if (object.type === "call" && object.childForFieldName("function")?.text === "super") return "super()";
  return "?";
}

/** A parameter's own name (not its default value or annotation). */
function isParameterName(node: Node, parent: Node): boolean {
  if (PARAMETER_CONTAINERS.has(parent.type)) return true;
  if (parent.type === "default_parameter" || parent.type === "typed_default_parameter") return isField(parent, "name", node);
  if (parent.type === "typed_parameter") return parent.namedChild(0)?.id === node.id;
  return false;
}

/** A name an assignment, `for`, comprehension, `with … as`, `except … as`, walrus, `global` or `nonlocal` binds (`ancestors` end at its parent). */
function isBoundTarget(node: Node, ancestors: readonly Node[]): boolean {
  let child = node;
  let at = ancestors.length - 1;
  while (at >= 0 && PATTERN_TYPES.has(ancestors[at]!.type)) child = ancestors[at--]!;
  const parent = ancestors[at];
  if (parent === undefined) return false;
  switch (parent.type) {
    case "assignment":
    case "augmented_assignment":
    case "for_statement":
    case "for_in_clause":
      return isField(parent, "left", child);
    case "named_expression":
      return isField(parent, "name", child);
    case "as_pattern":
      return isField(parent, "alias", child);
    case "global_statement":
    case "nonlocal_statement":
      return true;
    default:
      return false;
  }
}

/** The names a target pattern binds (attributes and subscripts bind none). */
function boundNames(target: Node): string[] {
  if (target.type === "identifier") return [target.text];
  if (!PATTERN_TYPES.has(target.type)) return [];
  return target.namedChildren.flatMap((child) => (child === null ? [] : boundNames(child)));
}

/** The names a function's parameters bind (its other locals are collected as its body is walked). */
function parameterNames(definition: Node): Set<string> {
  const locals = new Set<string>();
  const parameters = definition.childForFieldName("parameters");
  const collectParameters = (node: Node): void => {
    for (const child of node.namedChildren) {
      if (child === null) continue;
      if (child.type === "identifier") locals.add(child.text);
      else if (child.type === "default_parameter" || child.type === "typed_default_parameter") {
        const name = child.childForFieldName("name");
        if (name?.type === "identifier") locals.add(name.text);
      } else if (child.type === "typed_parameter" || child.type === "list_splat_pattern" || child.type === "dictionary_splat_pattern") {
        collectParameters(child);
      }
    }
  };
  if (parameters !== null) collectParameters(parameters);
  return locals;
}
