// Each language's fixture tree, extracted: the tricky shapes the issue lists (TS overloads,
// generics, decorators; JS CommonJS and ESM; Go generics, receivers and embedded structs; Rust
// impl<T> Trait for Type<T>; Java inner and anonymous classes) with their kinds, qualified names,
// doc comments and test-code verdicts.
import { readFile } from "node:fs/promises";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { extractEntities } from "../../src/extract/index.js";
import { isTestCode } from "../../src/lang/index.js";
import { PROJECT_ROOT } from "../support/temp-dirs.js";

/** `line kind qualifiedName` for every entity of a fixture file. */
async function outline(file: string): Promise<string[]> {
  const text = await readFile(path.join(PROJECT_ROOT, "fixtures", file), "utf8");
  const { entities, syntaxErrors } = await extractEntities(file, text);
  expect(syntaxErrors).toEqual([]);
  return entities.map((e) => `${e.startLine} ${e.kind} ${e.qualifiedName}`);
}

async function entity(file: string, qualifiedName: string) {
  const text = await readFile(path.join(PROJECT_ROOT, "fixtures", file), "utf8");
  const found = (await extractEntities(file, text)).entities.find((e) => e.qualifiedName === qualifiedName);
  if (found === undefined) throw new Error(`${qualifiedName} not in ${file}`);
  return found;
}

describe("Go", () => {
  it("finds funcs, methods qualified by receiver (generic ones too), structs, interfaces and aliases", async () => {
    expect(await outline("go/cmd/command.go")).toEqual([
      "7 struct Command",
      "14 struct Base",
      "18 interface Runner",
      "22 type ID",
      "26 method Command.Execute",
      "34 method Command.AddCommand",
      "39 struct Stack",
      "44 method Stack.Push",
      "49 function Map",
    ]);
    const execute = await entity("go/cmd/command.go", "Command.Execute");
    expect([execute.language, execute.signature, execute.docstring, execute.endLine]).toEqual([
      "go", "func (c *Command) Execute(args []string) error", "Execute parses args and runs the command.", 31,
    ]);
    expect((await entity("go/cmd/command.go", "Runner")).docstring).toBe("Runner runs a command.");
    expect(isTestCode(await entity("go/cmd/command_test.go", "TestExecute"))).toBe(true);
  });
});

describe("TypeScript", () => {
  it("finds interfaces, types, enums, decorated generic classes, field functions, overloads and default exports", async () => {
    expect(await outline("typescript/src/cart.ts")).toEqual([
      "4 interface CartLine",
      "7 method CartLine.price",
      "10 type Discount",
      "12 enum Currency",
      "17 function sealed",
      "21 class Cart",
      "25 method Cart.onChange",
      "28 method Cart.add",
      "34 method Cart.total",
      "41 function parseAmount",
      "42 function parseAmount",
      "43 function parseAmount",
      "48 function formatAmount",
      "52 function createCart",
    ]);
    const cart = await entity("typescript/src/cart.ts", "Cart");
    expect([cart.signature, cart.docstring, cart.decorators]).toEqual(["class Cart<T extends CartLine>", "A shopping cart holding lines.", ["@sealed"]]);
    expect(await outline("typescript/src/view.tsx")).toEqual(["2 function CartTotal"]);
    expect(isTestCode(await entity("typescript/src/cart.test.ts", "makeCart"))).toBe(true);
  });
});

describe("JavaScript", () => {
  it("finds CommonJS prototype and exports functions, object-literal methods, ESM classes, fields and export default", async () => {
    expect(await outline("javascript/lib/router.js")).toEqual([
      "7 function Router",
      "12 method Router.route",
      "19 method helpers.escape",
      "22 method helpers.slugify",
      "27 function parseQuery",
    ]);
    expect((await entity("javascript/lib/router.js", "Router")).docstring).toBe("Creates a router.\n@param {object} options");
    expect(await outline("javascript/lib/events.mjs")).toEqual(["2 class Emitter", "6 method Emitter.on", "12 method Emitter.handle", "15 function default"]);
  });
});

describe("Rust", () => {
  it("finds structs, enums, traits with their methods, impl methods qualified by type, aliases and macro_rules", async () => {
    expect(await outline("rust/src/stack.rs")).toEqual([
      "7 struct Stack",
      "12 enum StackError",
      "18 trait Push",
      "20 method Push.push",
      "23 method Push.push_all",
      "32 method Stack.new",
      "37 method Stack.pop",
      "43 method Stack.push",
      "49 method StackError.fmt",
      "54 type Result2",
      "57 macro stack",
      "70 function pops_what_was_pushed",
    ]);
    const stack = await entity("rust/src/stack.rs", "Stack");
    expect([stack.docstring, stack.decorators]).toEqual(["A stack of values.", ["#[derive(Debug, Clone)]"]]);
    expect(isTestCode(await entity("rust/src/stack.rs", "pops_what_was_pushed"))).toBe(true);
    expect(isTestCode(await entity("rust/src/stack.rs", "Stack.pop"))).toBe(false);
  });
});

describe("Java", () => {
  it("finds classes, records, enums, interfaces, constructors, inner and anonymous classes' methods", async () => {
    expect(await outline("java/src/main/java/org/example/Library.java")).toEqual([
      "9 class Library",
      "13 class Library.Book",
      "16 enum Library.Loan",
      "19 interface Library.Finder",
      "21 method Library.Finder.byAuthor",
      "25 method Library.Library",
      "31 method Library.add",
      "37 method Library.finder",
      "39 function Library.finder.byAuthor",
      "46 class Library.Shelf",
      "47 method Library.Shelf.sort",
    ]);
    const add = await entity("java/src/main/java/org/example/Library.java", "Library.add");
    expect([add.signature, add.docstring, add.decorators]).toEqual(["public void add(Book book)", "Adds a book.\n@param book the book", ["@Deprecated"]]);
    expect(isTestCode(await entity("java/src/test/java/org/example/LibraryTest.java", "LibraryTest.addsBooks"))).toBe(true);
  });
});

describe("Ruby (added by following docs/adding-a-language.md)", () => {
  it("finds modules, classes (scoped names too), methods, singleton methods and class << self methods", async () => {
    expect(await outline("ruby/lib/greeter/hello.rb")).toEqual([
      "4 module Greeter",
      "6 class Greeter.Hello",
      "10 method Greeter.Hello.initialize",
      "15 method Greeter.Hello.to_s",
      "20 method Greeter.Hello.build",
      "24 method Greeter.Hello.cache",
      "31 module Greeter.Format",
      "32 method Greeter.Format.shout",
      "38 class Loud",
      "39 method Loud.to_s",
      "44 function greet",
    ]);
    const greeter = await entity("ruby/lib/greeter/hello.rb", "Greeter");
    expect([greeter.signature, greeter.docstring]).toEqual(["module Greeter", "Greetings for people."]);
    const hello = await entity("ruby/lib/greeter/hello.rb", "Greeter.Hello");
    expect([hello.signature, hello.docstring]).toEqual(["class Hello < Base", "Says hello to someone."]);
    expect(isTestCode(await entity("ruby/test/hello_test.rb", "HelloTest.test_to_s"))).toBe(true);
  });
});
