// Reference resolution in every language with reference rules, on fixtures/references/<language>:
// each fixture is extracted for real (entities and reference sites) and resolved by the same
// graph the structural tools use; shapes: the same method name on two types, aliased imports,
// re-exports, a parameter shadowing an imported name, `this`/`self`/receivers, typed variables.
import { readFile, readdir } from "node:fs/promises";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { extractEntities, extractReferences } from "../../src/extract/index.js";
import { isSourcePath } from "../../src/lang/index.js";
import { buildReferenceGraph, type ReferenceGraph } from "../../src/pipeline/reference-graph.js";
import type { StructureEntity } from "../../src/pipeline/structure-index.js";
import type { FileReferences } from "../../src/model/references.js";
import { PROJECT_ROOT } from "../support/temp-dirs.js";

interface Resolved {
  entities: StructureEntity[];
  graph: ReferenceGraph;
}

async function filesUnder(root: string, dir = ""): Promise<string[]> {
  const found: string[] = [];
  for (const entry of await readdir(path.join(root, dir), { withFileTypes: true })) {
    const relative = dir === "" ? entry.name : `${dir}/${entry.name}`;
    if (entry.isDirectory()) found.push(...(await filesUnder(root, relative)));
    else if (isSourcePath(relative)) found.push(relative);
  }
  return found.sort();
}

/** The fixture's entities (ordered by path and line, as the structure index orders them) and resolved graph. */
async function resolveFixture(language: string): Promise<Resolved> {
  const root = path.join(PROJECT_ROOT, "fixtures", "references", language);
  const entities: StructureEntity[] = [];
  const references = new Map<string, FileReferences>();
  for (const file of await filesUnder(root)) {
    const text = await readFile(path.join(root, file), "utf8");
    for (const entity of (await extractEntities(file, text)).entities) {
      entities.push({ ...entity, id: `${file}:${entity.startLine}`, summary: null, isTest: false, module: file });
    }
    references.set(file, await extractReferences(file, text));
  }
  entities.sort((a, b) => (a.path === b.path ? a.startLine - b.startLine : a.path < b.path ? -1 : 1));
  const byPath = new Map<string, number[]>();
  entities.forEach((entity, index) => byPath.set(entity.path, [...(byPath.get(entity.path) ?? []), index]));
  return { entities, graph: buildReferenceGraph(entities, byPath, references) };
}

/** `path:line kind in enclosing` of each site resolved to the entity named `qualifiedName`. */
function referencesOf({ entities, graph }: Resolved, qualifiedName: string): string[] {
  const target = entities.findIndex((entity) => entity.qualifiedName === qualifiedName);
  expect(target, qualifiedName).toBeGreaterThanOrEqual(0);
  return (graph.byTarget.get(target) ?? []).map((index) => {
    const site = graph.sites[index]!;
    return `${site.path}:${site.line} ${site.kind} in ${site.enclosing === -1 ? "<module>" : entities[site.enclosing]!.qualifiedName}`;
  });
}

/** `path:line` of the sites of `name` that resolved to nothing (the tools' name-match candidates). */
function unresolved({ graph }: Resolved, name: string): string[] {
  return (graph.unresolvedByName.get(name) ?? []).map((index) => `${graph.sites[index]!.path}:${graph.sites[index]!.line}`);
}

describe("references resolved per language", () => {
  it("typescript: aliased and re-exported imports, namespace imports, this., super., typed parameters and fields, a shadowing parameter", async () => {
    const ts = await resolveFixture("typescript");
    expect(referencesOf(ts, "Cart").filter((site) => !site.startsWith("src/stream.ts"))).toEqual(["src/main.ts:1 import in <module>", "src/main.ts:3 import in <module>", "src/main.ts:6 instantiate in run", "src/main.ts:18 inherit in <module>", "src/main.ts:33 name in Checkout.constructor", "src/shop/index.ts:1 import in <module>"]);
    // Line 36: `this.cart.total()`, `cart` a constructor parameter property of type Cart.
    expect(referencesOf(ts, "Cart.total").filter((site) => !site.startsWith("src/stream.ts"))).toEqual(["src/cart.ts:10 call in Cart.checkout", "src/main.ts:7 call in run", "src/main.ts:20 call in SpecialCart.total", "src/main.ts:36 call in Checkout.sum"]);
    expect(referencesOf(ts, "Invoice.total")).toEqual(["src/cart.ts:20 call in Invoice.render", "src/main.ts:8 call in run"]);
    expect(referencesOf(ts, "SpecialCart.total")).toEqual(["src/main.ts:24 call in SpecialCart.price"]);
    // `helper as assist`: line 11 calls it; line 15's `assist` is shadowed()'s parameter. util.ts's helper is another function.
    expect(referencesOf(ts, "helper").filter((site) => site.startsWith("src/main.ts"))).toEqual(["src/main.ts:1 import in <module>", "src/main.ts:11 call in run"]);
    expect(referencesOf(ts, "format")).toEqual(["src/main.ts:3 import in <module>", "src/main.ts:9 call in run", "src/main.ts:10 call in run"]);
    expect(unresolved(ts, "total")).toEqual(["src/main.ts:29"]);
  });

  it("typescript: methods typed by generic, union and namespaced annotations, a field read into a local, new T() and x || new T() in place, as T, a later v = new T(), T.prototype.m", async () => {
    const ts = await resolveFixture("typescript");
    // stream.ts:18 `source!.read()` (const source = this.source, a `Source | null` field) and `(spare || new Source()).read()`;
    // `holder.read()` is Holder's. Line 26: `new Source().read()`, `later` (null, then new Source()), `input as Source`.
    expect(referencesOf(ts, "Source.read")).toEqual(["src/stream.ts:18 call in Pump.pull", "src/stream.ts:18 call in Pump.pull", "src/stream.ts:26 call in drain", "src/stream.ts:26 call in drain", "src/stream.ts:26 call in drain"]);
    expect(referencesOf(ts, "Holder.read")).toEqual(["src/stream.ts:18 call in Pump.pull"]);
    // `this.cart` (a `shop.Cart` parameter property) and `picked: shop.Cart`, through the namespace import.
    expect(referencesOf(ts, "Cart.total").filter((site) => site.startsWith("src/stream.ts"))).toEqual(["src/stream.ts:18 call in Pump.pull", "src/stream.ts:26 call in drain"]);
    expect(referencesOf(ts, "Pump.pull")).toEqual(["src/stream.ts:33 name in <module>"]);
    expect(unresolved(ts, "read")).toEqual([]);
  });

  it("javascript: CommonJS require with renaming and of a module.exports function, ES imports, extends and super", async () => {
    const js = await resolveFixture("javascript");
    // `const fmt = require("./format")` binds format.js's `module.exports = format`.
    expect(referencesOf(js, "format")).toEqual(["lib/app.js:26 import in <module>", "lib/app.js:29 call in show", "lib/format.js:5 name in <module>"]);
    expect(referencesOf(js, "makeStore")).toEqual(["lib/app.js:1 import in <module>", "lib/app.js:6 call in main", "lib/store.js:26 name in <module>"]);
    expect(referencesOf(js, "Store")).toEqual(["lib/app.js:1 import in <module>", "lib/app.js:7 instantiate in main", "lib/app.js:17 inherit in <module>", "lib/store.js:23 instantiate in makeStore", "lib/store.js:26 name in <module>"]);
    expect(referencesOf(js, "Store.get")).toEqual(["lib/app.js:20 call in LoggingStore.get", "lib/store.js:12 call in Store.put"]);
    expect(referencesOf(js, "Cache.get")).toEqual([]);
    expect(referencesOf(js, "log")).toEqual(["lib/app.js:9 call in main", "lib/app.js:19 call in LoggingStore.get", "lib/helpers.js:5 name in <module>"]);
    expect(referencesOf(js, "slugify")).toEqual(["lib/app.js:3 import in <module>", "lib/app.js:9 call in main"]);
    // `store.get` (store: what create() returned) and `this.items.get` (a Map's) resolve to nothing.
    expect(unresolved(js, "get")).toEqual(["lib/app.js:10", "lib/store.js:7"]);
  });

  it("go: packages by import path (aliased too), methods in another file of the package, receivers, composite literals, a variable typed by the function it came from, a shadowing parameter", async () => {
    const go = await resolveFixture("go");
    expect(referencesOf(go, "NewCart")).toEqual(["main.go:11 call in run"]);
    // main.go:14 `c.Total()`: c := cart.NewCart(), and NewCart returns *Cart.
    expect(referencesOf(go, "Cart.Total").filter((site) => !site.startsWith("cart/stock.go"))).toEqual(["cart/checkout.go:7 call in Cart.Checkout", "main.go:14 call in run"]);
    expect(referencesOf(go, "Cart.Checkout")).toEqual(["main.go:14 call in run"]);
    expect(referencesOf(go, "Invoice.Total")).toEqual(["invoice/invoice.go:13 call in Invoice.Render", "main.go:14 call in run"]);
    expect(referencesOf(go, "format")).toEqual(["cart/checkout.go:7 call in Cart.Checkout"]);
    expect(referencesOf(go, "helper")).toEqual(["main.go:14 call in run"]);
    expect(unresolved(go, "Total")).toEqual([]);
  });

  it("go: methods called through a receiver's typed fields, on what an own method returns, and on a literal in place", async () => {
    const go = await resolveFixture("go");
    // stock.go:16 `s.shelf.Total()`, `s.spare.Total()`, `s.Shelf().Total()`, `(&Cart{}).Total()`.
    expect(referencesOf(go, "Cart.Total").filter((site) => site.startsWith("cart/stock.go"))).toEqual(["cart/stock.go:16 call in Stock.Count", "cart/stock.go:16 call in Stock.Count", "cart/stock.go:16 call in Stock.Count", "cart/stock.go:16 call in Stock.Count"]);
    expect(referencesOf(go, "Stock.Shelf")).toEqual(["cart/stock.go:16 call in Stock.Count"]);
  });

  it("java: imports and same-package classes, fields and locals by declared type, bare calls of the own class, super., a shadowing local", async () => {
    const java = await resolveFixture("java");
    const main = "src/main/java/com/acme/app/Main.java";
    const shop = "src/main/java/com/acme/shop";
    // Line 19: `cart.total()` (a field of type Cart) and `other.total()` (a local declared Cart, holding a SpecialCart).
    expect(referencesOf(java, "Cart.total")).toEqual([`${main}:13 call in Main.SpecialCart.total`, `${main}:19 call in Main.run`, `${main}:19 call in Main.run`, `${shop}/Cart.java:16 call in Cart.checkout`]);
    expect(referencesOf(java, "Invoice.total")).toEqual([`${main}:19 call in Main.run`, `${shop}/Invoice.java:10 call in Invoice.price`]);
    expect(referencesOf(java, "Format.money")).toEqual([`${shop}/Cart.java:16 call in Cart.checkout`]);
    expect(referencesOf(java, "Main.helper")).toEqual([`${main}:19 call in Main.run`]);
    expect(referencesOf(java, "Priced")).toEqual([`${shop}/Invoice.java:3 inherit in <module>`]);
    expect(referencesOf(java, "Main.SpecialCart")).toEqual([`${main}:18 instantiate in Main.run`]);
  });

  it("rust: use trees with aliases, mod declarations, Type::f and self., typed parameters, a shadowing parameter", async () => {
    const rust = await resolveFixture("rust");
    expect(referencesOf(rust, "Cart.new")).toEqual(["src/lib.rs:10 call in run", "src/lib.rs:11 call in run"]);
    expect(referencesOf(rust, "Cart.total")).toEqual(["src/cart.rs:19 call in Cart.checkout", "src/lib.rs:12 call in run", "src/lib.rs:12 call in run"]);
    expect(referencesOf(rust, "Invoice.total")).toEqual(["src/invoice.rs:19 call in Invoice.price", "src/lib.rs:12 call in run"]);
    expect(referencesOf(rust, "helper")).toEqual(["src/cart.rs:19 call in Cart.checkout", "src/lib.rs:5 import in <module>", "src/lib.rs:12 call in run"]);
    expect(referencesOf(rust, "Priced")).toEqual(["src/invoice.rs:17 inherit in <module>", "src/lib.rs:6 import in <module>"]);
  });

  it("ruby: constants across files and nested in modules, Const.new, self., bare calls of the own class, a shadowing parameter", async () => {
    const ruby = await resolveFixture("ruby");
    expect(referencesOf(ruby, "Shop.Cart")).toEqual(["lib/app.rb:5 inherit in <module>", "lib/app.rb:16 instantiate in run"]);
    expect(referencesOf(ruby, "Shop.Cart.total")).toEqual(["lib/app.rb:18 call in run", "lib/shop/cart.rb:13 call in Shop.Cart.checkout"]);
    expect(referencesOf(ruby, "Shop.Invoice.total")).toEqual(["lib/shop/invoice.rb:9 call in Shop.Invoice.render"]);
    expect(referencesOf(ruby, "SpecialCart.fee")).toEqual(["lib/app.rb:7 call in SpecialCart.total"]);
    expect(referencesOf(ruby, "Shop.Format.money")).toEqual(["lib/shop/cart.rb:13 call in Shop.Cart.checkout"]);
    expect(referencesOf(ruby, "helper")).toEqual(["lib/app.rb:18 call in run"]);
    expect(unresolved(ruby, "total")).toEqual(["lib/app.rb:18"]);
  });
});
