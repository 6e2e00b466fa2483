import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { extractEntities, MAX_SYNTAX_ERRORS } from "../../src/extract/index.js";
import type { CodeEntity } from "../../src/model/types.js";

const FIXTURES = fileURLToPath(new URL("../../fixtures/python/", import.meta.url));

function readFixture(path: string): string {
  return readFileSync(`${FIXTURES}${path}`, "utf8");
}

/** [kind, qualifiedName, parentQualifiedName, startLine, endLine, decoratorLine] */
type Outline = [CodeEntity["kind"], string, string | null, number, number, number | null];

function outline(entities: CodeEntity[]): Outline[] {
  return entities.map((e) => [e.kind, e.qualifiedName, e.parentQualifiedName, e.startLine, e.endLine, e.decoratorLine]);
}

async function entitiesOf(source: string): Promise<CodeEntity[]> {
  const result = await extractEntities("pkg/mod.py", source);
  expect(result.syntaxErrors).toEqual([]);
  return result.entities;
}

async function only(source: string): Promise<CodeEntity> {
  const entities = await entitiesOf(source);
  expect(entities).toHaveLength(1);
  const [entity] = entities;
  if (entity === undefined) throw new Error("no entity");
  return entity;
}

describe("extractEntities: structure", () => {
  const cases: { name: string; source: string; expected: Outline[] }[] = [
    {
      name: "module functions and a class with methods",
      source: ["def top():", "    pass", "", "class A:", "    def m(self):", "        pass", "", "    def n(self):", "        pass"].join("\n"),
      expected: [
        ["function", "top", null, 1, 2, null],
        ["class", "A", null, 4, 9, null],
        ["method", "A.m", "A", 5, 6, null],
        ["method", "A.n", "A", 8, 9, null],
      ],
    },
    {
      name: "nested functions at several depths",
      source: ["def outer():", "    def inner():", "        def deepest():", "            return 1", "        return deepest", "    return inner"].join("\n"),
      expected: [
        ["function", "outer", null, 1, 6, null],
        ["function", "outer.inner", "outer", 2, 5, null],
        ["function", "outer.inner.deepest", "outer.inner", 3, 4, null],
      ],
    },
    {
      name: "a helper inside a method is a function",
      source: ["class C:", "    def method(self):", "        def helper():", "            pass", "        return helper"].join("\n"),
      expected: [
        ["class", "C", null, 1, 5, null],
        ["method", "C.method", "C", 2, 5, null],
        ["function", "C.method.helper", "C.method", 3, 4, null],
      ],
    },
    {
      name: "a class inside a function, with its methods",
      source: ["def factory():", "    class Local:", "        def m(self):", "            pass", "    return Local"].join("\n"),
      expected: [
        ["function", "factory", null, 1, 5, null],
        ["class", "factory.Local", "factory", 2, 4, null],
        ["method", "factory.Local.m", "factory.Local", 3, 4, null],
      ],
    },
    {
      name: "defs under if/else inside a class body are methods",
      source: ["class K:", "    if FAST:", "        def run(self): pass", "    else:", "        def run(self):", "            pass"].join("\n"),
      expected: [
        ["class", "K", null, 1, 6, null],
        ["method", "K.run", "K", 3, 3, null],
        ["method", "K.run", "K", 5, 6, null],
      ],
    },
    {
      name: "conditional module-level defs under try, if, with, for, while, match",
      source: [
        "try:",
        "    from fast import dumps",
        "except ImportError:",
        "    def dumps(obj): return str(obj)",
        "if sys.version_info >= (3, 11):",
        "    def now(): pass",
        "with lock:",
        "    def locked(): pass",
        "for verb in ('get', 'post'):",
        "    def handler(request, verb=verb): pass",
        "while True:",
        "    def looped(): pass",
        "    break",
        "match mode:",
        "    case 'x':",
        "        def matched(): pass",
      ].join("\n"),
      expected: [
        ["function", "dumps", null, 4, 4, null],
        ["function", "now", null, 6, 6, null],
        ["function", "locked", null, 8, 8, null],
        ["function", "handler", null, 10, 10, null],
        ["function", "looped", null, 12, 12, null],
        ["function", "matched", null, 16, 16, null],
      ],
    },
    {
      name: "decorated and async definitions, decorator lines kept apart from start lines",
      source: [
        "@register",
        "class Service:",
        "    @staticmethod",
        "    # a comment between decorator and def",
        "    @cache",
        "    async def fetch(url):",
        "        return url",
        "",
        "    async def close(self):",
        "        pass",
      ].join("\n"),
      expected: [
        ["class", "Service", null, 2, 10, 1],
        ["method", "Service.fetch", "Service", 6, 7, 3],
        ["method", "Service.close", "Service", 9, 10, null],
      ],
    },
    {
      name: "a body-indented trailing comment belongs to the body, a dedented one does not",
      source: ["def f():", "    x = 1", "    # still f", "", "# module comment", "def g():", "    pass"].join("\n"),
      expected: [
        ["function", "f", null, 1, 3, null],
        ["function", "g", null, 6, 7, null],
      ],
    },
  ];

  it.each(cases)("$name", async ({ source, expected }) => {
    expect(outline(await entitiesOf(source))).toEqual(expected);
  });

  it("copies the path, keeps the bare name, lists decorators in order and returns sorted entities", async () => {
    const result = await extractEntities("a/b.py", "@first\n@second(1, x=[2])\ndef f():\n    pass\n");
    expect(result.entities).toEqual([
      {
        path: "a/b.py",
        language: "python",
        kind: "function",
        name: "f",
        qualifiedName: "f",
        parentQualifiedName: null,
        startLine: 3,
        endLine: 4,
        decoratorLine: 1,
        decorators: ["@first", "@second(1, x=[2])"],
        signature: "def f()",
        docstring: null,
        source: "def f():\n    pass",
      },
    ]);
  });

  it("returns nothing for a module without definitions, and for an empty file", async () => {
    expect(await entitiesOf("x = 1\nprint(x)\n")).toEqual([]);
    expect(await entitiesOf("")).toEqual([]);
  });
});

describe("extractEntities: signatures", () => {
  const cases: { name: string; source: string; signature: string }[] = [
    {
      name: "async method with keyword-only parameters",
      source: "async def fetch(self, url: str, *, retries: int = 3) -> bytes:\n    pass",
      signature: "async def fetch(self, url: str, *, retries: int = 3) -> bytes",
    },
    { name: "class with bases and metaclass", source: "class Session(Base, metaclass=Meta):\n    pass", signature: "class Session(Base, metaclass=Meta)" },
    { name: "class without bases", source: "class Plain:\n    pass", signature: "class Plain" },
    {
      name: "parameters over several lines with comments",
      source: "def f(\n    a,  # first\n    b: int = 2,\n) -> None:  # trailing\n    pass",
      signature: "def f(a, b: int = 2,) -> None",
    },
    { name: "line continuations", source: "def g(a, \\\n      b) -> \\\n        int:\n    return a", signature: "def g(a, b) -> int" },
    { name: "a colon inside a lambda default", source: "def h(key=lambda item: item[0]):\n    pass", signature: "def h(key=lambda item: item[0])" },
    { name: "whitespace runs inside a string default", source: 'def s(sep="a   b"):\n    pass', signature: 'def s(sep="a b")' },
    { name: "type parameters (PEP 695)", source: "def first[T](xs: list[T]) -> T:\n    return xs[0]", signature: "def first[T](xs: list[T]) -> T" },
    { name: "one-line body", source: "def one(): return 1", signature: "def one()" },
  ];

  it.each(cases)("$name", async ({ source, signature }) => {
    expect((await only(source)).signature).toBe(signature);
  });
});

describe("extractEntities: docstrings", () => {
  const cases: { name: string; body: string; docstring: string | null }[] = [
    { name: "triple double quotes", body: '    """Return the total."""', docstring: "Return the total." },
    { name: "triple single quotes", body: "    '''Return the total.'''", docstring: "Return the total." },
    { name: "double quotes", body: '    "Return the total."', docstring: "Return the total." },
    { name: "single quotes", body: "    'Return the total.'", docstring: "Return the total." },
    { name: "raw prefix keeps backslashes", body: '    r"""Match \\d+ digits."""', docstring: "Match \\d+ digits." },
    { name: "upper-case raw prefix", body: '    R"""a\\nb"""', docstring: "a\\nb" },
    { name: "unicode prefix", body: '    u"""Unicode."""', docstring: "Unicode." },
    { name: "bytes prefix", body: '    b"""Bytes."""', docstring: "Bytes." },
    { name: "escapes decoded", body: '    """One\\nTwo, quote \\" and \\x41\\u00e9."""', docstring: 'One\nTwo, quote " and Aé.' },
    { name: "escaped line break joins lines", body: '    """one \\\n    two"""', docstring: "one     two" },
    {
      name: "common indentation removed like inspect.cleandoc",
      body: '    """Summary line.\n\n    Details here,\n      indented more.\n    """',
      docstring: "Summary line.\n\nDetails here,\n  indented more.",
    },
    { name: "leading blank lines removed", body: '    """\n    Starts on line two.\n    """', docstring: "Starts on line two." },
    { name: "tabs expanded before dedenting", body: '    """Head.\n\tTabbed.\n    """', docstring: "Head.\nTabbed." },
    { name: "implicitly concatenated strings", body: '    "Part one, " \'part two.\'', docstring: "Part one, part two." },
    { name: "a comment before the docstring", body: '    # note\n    """Still the docstring."""', docstring: "Still the docstring." },
    { name: "empty docstring", body: '    """"""', docstring: "" },
    { name: "an f-string is not a docstring", body: '    f"""Value {x}."""', docstring: null },
    { name: "a string that is not the first statement", body: '    x = 1\n    """Not a docstring."""', docstring: null },
    { name: "a string inside an expression", body: '    print("not a docstring")', docstring: null },
    { name: "no string at all", body: "    return 1", docstring: null },
  ];

  it.each(cases)("$name", async ({ body, docstring }) => {
    expect((await only(`def f():\n${body}\n`)).docstring).toBe(docstring);
  });

  it("reads class docstrings too", async () => {
    expect((await only('class A:\n    """A thing."""\n')).docstring).toBe("A thing.");
  });
});

describe("extractEntities: source text and positions", () => {
  it("takes the source from the def line, with its indentation, without decorators", async () => {
    const [, method] = await entitiesOf("class A:\n    @property\n    def x(self):\n        return 1\n\n\ny = 2\n");
    expect(method?.source).toBe("    def x(self):\n        return 1");
  });

  it("counts CRLF and CR line endings as Python does and returns LF sources", async () => {
    const crlf = await only("# c\r\n\r\ndef f():\r\n    return 1\r\n");
    expect([crlf.startLine, crlf.endLine, crlf.source]).toEqual([3, 4, "def f():\n    return 1"]);
    const cr = await only("# c\r\rdef g():\r    return 2\r");
    expect([cr.startLine, cr.endLine, cr.source]).toEqual([3, 4, "def g():\n    return 2"]);
  });

  it("ignores a byte-order mark", async () => {
    const entity = await only("\uFEFFdef f():\n    pass\n");
    expect([entity.startLine, entity.signature, entity.source]).toEqual([1, "def f()", "def f():\n    pass"]);
  });

  it("is not shifted by non-ASCII text (accents, emoji, CJK) before a definition", async () => {
    const source = [
      "# café 😀 東京 🚀🚀",
      'NOTE = "naïve — 👋 こんにちは"',
      "def après(x='😀'):  # 🎉",
      '    """Déjà vu 🙂."""',
      "    return x",
      "def plain():",
      "    return '東'",
    ].join("\n");
    const entities = await entitiesOf(source);
    expect(entities.map((e) => [e.name, e.startLine, e.endLine, e.signature, e.docstring, e.source])).toEqual([
      ["après", 3, 5, "def après(x='😀')", "Déjà vu 🙂.", "def après(x='😀'):  # 🎉\n    \"\"\"Déjà vu 🙂.\"\"\"\n    return x"],
      ["plain", 6, 7, "def plain()", null, "def plain():\n    return '東'"],
    ]);
  });
});

describe("extractEntities: syntax errors", () => {
  it("recovers the definitions around an error and reports its line", async () => {
    const result = await extractEntities("shop/broken.py", readFileSync(fileURLToPath(new URL("../../fixtures/bad-input/broken.py", import.meta.url)), "utf8"));
    expect(outline(result.entities)).toEqual([
      ["function", "parse_price", null, 4, 6, null],
      ["function", "broken_total", null, 9, 10, null],
      ["class", "Receipt", null, 13, 17, null],
      ["method", "Receipt.render", "Receipt", 16, 17, null],
      ["function", "apply_discount", null, 20, 22, null],
    ]);
    expect(result.syntaxErrors).toEqual([
      { line: 10, message: 'syntax error near "[item.price for item in items"' },
      { line: 21, message: 'syntax error near "="' },
    ]);
  });

  it("reports a missing token with its line", async () => {
    const result = await extractEntities("m.py", "def ok():\n    pass\n\ndef broken(:\n    return 1\n\ndef after():\n    pass\n");
    expect(result.syntaxErrors).toEqual([{ line: 4, message: 'missing ")"' }]);
    expect(result.entities.map((e) => [e.name, e.startLine, e.signature])).toEqual([
      ["ok", 1, "def ok()"],
      ["broken", 4, "def broken("],
      ["after", 7, "def after()"],
    ]);
  });

  it("reports an unrecoverable header at its line and keeps what came before", async () => {
    const result = await extractEntities("m.py", "def ok():\n    pass\n\ndef bad(a, b:\n    return 1\n");
    expect(result.syntaxErrors).toEqual([{ line: 4, message: 'syntax error near "def bad(a, b:"' }]);
    expect(result.entities.map((e) => e.name)).toEqual(["ok"]);
  });

  it(`reports at most ${MAX_SYNTAX_ERRORS} errors, the first ones first`, async () => {
    const source = Array.from({ length: 8 }, (_, i) => `def f${i}(:\n    pass\n`).join("");
    const result = await extractEntities("m.py", source);
    expect(result.syntaxErrors).toEqual([1, 3, 5, 7, 9].map((line) => ({ line, message: 'missing ")"' })));
    expect(result.entities).toHaveLength(8);
  });
});

describe("extractEntities: fixture files", () => {
  it("shop/cart.py: classes, properties, static/async methods, nested and conditional defs", async () => {
    const result = await extractEntities("shop/cart.py", readFixture("shop/cart.py"));
    expect(result.syntaxErrors).toEqual([]);
    expect(outline(result.entities)).toEqual([
      ["function", "cached_property", null, 13, 15, null],
      ["function", "utc_now", null, 19, 21, null],
      ["function", "utc_now", null, 23, 25, null],
      ["class", "LineItem", null, 29, 39, 28],
      ["method", "LineItem.subtotal", "LineItem", 37, 39, 36],
      ["class", "Cart", null, 42, 94, null],
      ["class", "Cart.EmptyCartError", "Cart", 49, 50, null],
      ["method", "Cart.__init__", "Cart", 52, 55, null],
      ["method", "Cart.add_item", "Cart", 57, 64, null],
      ["method", "Cart.total", "Cart", 67, 68, 66],
      ["method", "Cart.parse_sku", "Cart", 72, 74, 70],
      ["method", "Cart.export_path", "Cart", 77, 78, null],
      ["method", "Cart.checkout", "Cart", 80, 94, null],
      ["function", "Cart.checkout.describe", "Cart.checkout", 90, 91, null],
    ]);
    const byName = new Map(result.entities.map((e) => [e.qualifiedName, e]));
    expect(byName.get("Cart.checkout")?.signature).toBe(
      "async def checkout(self, gateway, *, idempotency_key: str | None = None,) -> str",
    );
    expect(byName.get("Cart.parse_sku")?.decorators).toEqual(["@staticmethod", "@lru_cache(maxsize=256)"]);
    expect(byName.get("LineItem")?.decorators).toEqual(["@dataclass(frozen=True)"]);
    expect(byName.get("Cart")?.docstring).toBe(
      "A customer's cart.\n\nItems are keyed by SKU; adding the same SKU twice\n    increases the quantity.",
    );
    expect(byName.get("Cart.EmptyCartError")?.docstring).toBe("Raised by checkout() when the cart has no items\\n.");
    expect(byName.get("Cart.EmptyCartError")?.signature).toBe("class EmptyCartError(Exception)");
    expect(byName.get("Cart.total")?.source).toBe(
      "    def total(self) -> Decimal:\n        return sum((item.subtotal for item in self.items.values()), Decimal(0))",
    );
  });

  it("shop/net/retry.py: the retry helper's docstring and a decorated nested wrapper", async () => {
    const result = await extractEntities("shop/net/retry.py", readFixture("shop/net/retry.py"));
    expect(outline(result.entities)).toEqual([
      ["function", "backoff_delay", null, 10, 12, null],
      ["function", "retry_request", null, 15, 29, null],
      ["function", "retrying", null, 32, 42, null],
      ["function", "retrying.decorate", "retrying", 35, 40, null],
      ["function", "retrying.decorate.wrapper", "retrying.decorate", 37, 38, 36],
    ]);
    expect(result.entities[1]?.docstring).toBe(
      [
        "Retry sending an HTTP request when the connection resets.",
        "",
        "Calls ``send(request)`` up to ``attempts`` times. A connection reset,",
        "abort or timeout waits with exponential backoff and tries again; any",
        "other exception, and the last failure, propagate to the caller.",
      ].join("\n"),
    );
  });

  it("shop/unicode_names.py: non-ASCII identifiers, strings and comments", async () => {
    const result = await extractEntities("shop/unicode_names.py", readFixture("shop/unicode_names.py"));
    expect(result.entities.map((e) => [e.kind, e.qualifiedName, e.startLine, e.endLine, e.signature, e.docstring])).toEqual([
      ["function", "prix_total", 7, 9, 'def prix_total(montant: float, devise: str = "€") -> str', "Formate un montant : « 12,50 € » — déjà arrondi."],
      ["class", "Café", 12, 17, "class Café", "Un café ☕ servi chaud 🙂."],
      ["method", "Café.commander", 15, 17, 'def commander(self, taille: str = "grand") -> str', null],
      ["function", "après_émoji", 20, 21, 'def après_émoji(x="😀😀")', null],
    ]);
    expect(result.entities[3]?.source).toBe('def après_émoji(x="😀😀"):  # 😀😀😀\n    return x');
  });

  it("scripts/tool.py: a def nested in a with block inside a function", async () => {
    const result = await extractEntities("scripts/tool.py", readFixture("scripts/tool.py"));
    expect(outline(result.entities)).toEqual([
      ["function", "main", null, 9, 20, null],
      ["function", "main.line_total", "main", 16, 17, null],
    ]);
  });
});
