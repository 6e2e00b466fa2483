import { createHash } from "node:crypto";
import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { DEFAULT_MAX_CHUNK_CHARS, extractEntities, prepareChunks } from "../../src/extract/index.js";
import type { Chunk, CodeEntity } from "../../src/model/types.js";

const FIXTURES = fileURLToPath(new URL("../../fixtures/python/", import.meta.url));
const LARGE = { maxChars: 100_000 };

function entity(overrides: Partial<CodeEntity> & Pick<CodeEntity, "name">): CodeEntity {
  return {
    path: "pkg/mod.py",
    language: "python",
    kind: "function",
    qualifiedName: overrides.name,
    parentQualifiedName: null,
    startLine: 1,
    endLine: 2,
    decoratorLine: null,
    decorators: [],
    signature: `def ${overrides.name}()`,
    docstring: null,
    source: `def ${overrides.name}():\n    pass`,
    ...overrides,
  };
}

function single(input: CodeEntity, maxChars = LARGE.maxChars): Chunk {
  const [chunk] = prepareChunks([input], { maxChars });
  if (chunk === undefined) throw new Error("no chunk");
  return chunk;
}

const sha256 = (text: string): string => createHash("sha256").update(text, "utf8").digest("hex");

describe("prepareChunks: text", () => {
  it("function: qualified name, signature, docstring, then the code", () => {
    const chunk = single(
      entity({
        name: "total",
        signature: "def total(items: list[int]) -> int",
        docstring: "Sum the items.",
        source: 'def total(items: list[int]) -> int:\n    """Sum the items."""\n    return sum(items)',
      }),
    );
    expect(chunk.text).toBe(
      [
        "total",
        "def total(items: list[int]) -> int",
        "Sum the items.",
        "def total(items: list[int]) -> int:",
        '    """Sum the items."""',
        "    return sum(items)",
      ].join("\n"),
    );
  });

  it("method: no docstring line when there is none, code dedented, blank lines kept empty", () => {
    const chunk = single(
      entity({
        name: "run",
        kind: "method",
        qualifiedName: "Job.run",
        parentQualifiedName: "Job",
        signature: "def run(self)",
        source: "    def run(self):\n        x = 1\n   \n        return x",
      }),
    );
    expect(chunk.text).toBe("Job.run\ndef run(self)\ndef run(self):\n    x = 1\n\n    return x");
  });

  it("class: signature, docstring and its direct members' signatures, never their bodies", () => {
    const members = [
      entity({ name: "Cart", kind: "class", startLine: 1, endLine: 20, signature: "class Cart(Base)", docstring: "A cart.", source: "class Cart(Base): ..." }),
      entity({ name: "add", kind: "method", qualifiedName: "Cart.add", parentQualifiedName: "Cart", startLine: 3, endLine: 8, signature: "def add(self, sku: str) -> None", source: "    def add(self, sku: str) -> None:\n        self.items.append(sku)" }),
      entity({ name: "helper", qualifiedName: "Cart.add.helper", parentQualifiedName: "Cart.add", startLine: 4, endLine: 5, signature: "def helper()" }),
      entity({ name: "Error", kind: "class", qualifiedName: "Cart.Error", parentQualifiedName: "Cart", startLine: 10, endLine: 11, signature: "class Error(Exception)" }),
      entity({ name: "checkout", kind: "method", qualifiedName: "Cart.checkout", parentQualifiedName: "Cart", startLine: 13, endLine: 20, signature: "async def checkout(self) -> str", source: "    async def checkout(self) -> str:\n        return await pay()" }),
    ];
    const [cart] = prepareChunks(members, LARGE);
    expect(cart?.text).toBe(
      [
        "Cart",
        "class Cart(Base)",
        "A cart.",
        "    def add(self, sku: str) -> None",
        "    class Error(Exception)",
        "    async def checkout(self) -> str",
      ].join("\n"),
    );
    expect(cart?.text).not.toContain("append");
    expect(cart?.text).not.toContain("helper");
  });

  it("class: members of a same-named class in another file or another definition are left out", () => {
    const chunks = prepareChunks(
      [
        entity({ name: "A", kind: "class", startLine: 1, endLine: 3, signature: "class A" }),
        entity({ name: "m", kind: "method", qualifiedName: "A.m", parentQualifiedName: "A", startLine: 2, endLine: 3, signature: "def m(self)" }),
        entity({ name: "A", kind: "class", startLine: 6, endLine: 8, signature: "class A(Fallback)" }),
        entity({ name: "n", kind: "method", qualifiedName: "A.n", parentQualifiedName: "A", startLine: 7, endLine: 8, signature: "def n(self)" }),
        entity({ name: "o", kind: "method", path: "pkg/other.py", qualifiedName: "A.o", parentQualifiedName: "A", startLine: 2, endLine: 3, signature: "def o(self)" }),
      ],
      LARGE,
    );
    expect(chunks.map((chunk) => chunk.text)).toEqual([
      "A\nclass A\n    def m(self)",
      "A.m\ndef m(self)\ndef m():\n    pass",
      "A\nclass A(Fallback)\n    def n(self)",
      "A.n\ndef n(self)\ndef n():\n    pass",
      "A.o\ndef o(self)\ndef o():\n    pass",
    ]);
  });

  it("builds the Cart class text of the fixture from member signatures", async () => {
    const { entities } = await extractEntities("shop/cart.py", readFileSync(`${FIXTURES}shop/cart.py`, "utf8"));
    const cart = prepareChunks(entities, { maxChars: DEFAULT_MAX_CHUNK_CHARS }).find((chunk) => chunk.qualifiedName === "Cart");
    expect(cart?.text).toBe(
      [
        "Cart",
        "class Cart",
        "A customer's cart.",
        "",
        "Items are keyed by SKU; adding the same SKU twice",
        "    increases the quantity.",
        "    class EmptyCartError(Exception)",
        "    def __init__(self, customer_id: str, *, currency: str = \"EUR\") -> None",
        "    def add_item(self, sku: str, unit_price: Decimal, quantity: int = 1) -> LineItem",
        "    def total(self) -> Decimal",
        "    def parse_sku(raw: str) -> str",
        "    def export_path(self) -> str",
        "    async def checkout(self, gateway, *, idempotency_key: str | None = None,) -> str",
      ].join("\n"),
    );
  });
});

describe("prepareChunks: truncation", () => {
  const lines = Array.from({ length: 10 }, (_, i) => `    x${i} = ${i}  # padding`);
  const long = entity({ name: "f", source: ["def f():", ...lines].join("\n") });
  const full = single(long).text;

  const cases: { name: string; maxChars: number; expected: string }[] = [
    { name: "text within the limit is untouched", maxChars: full.length, expected: full },
    { name: "cut at the last line break within the limit", maxChars: 60, expected: full.slice(0, full.lastIndexOf("\n", 60)) },
    { name: "a limit on a line break keeps that whole line", maxChars: full.indexOf("\n    x1"), expected: full.slice(0, full.indexOf("\n    x1")) },
  ];

  it.each(cases)("$name", ({ maxChars, expected }) => {
    const text = single(long, maxChars).text;
    expect(text).toBe(expected);
    expect(text.length).toBeLessThanOrEqual(maxChars);
  });

  it("cuts mid-line when no line break keeps at least half the limit", () => {
    const text = single(entity({ name: "g", signature: `def g(${"a, ".repeat(40)}z)` }), 30).text;
    expect(text).toBe("g\ndef g(a, a, a, a, a, a, a, a");
    expect(text).toHaveLength(30);
  });

  it("never splits a surrogate pair", () => {
    const text = single(entity({ name: "e", signature: `def e(x="${"😀".repeat(20)}")` }), 16).text;
    expect(text).toBe('e\ndef e(x="😀😀');
  });

  it("defaults to 512 tokens × 4 characters", () => {
    expect(DEFAULT_MAX_CHUNK_CHARS).toBe(2048);
  });

  it.each([0, -1, 1.5, Number.NaN])("rejects maxChars %s", (maxChars) => {
    expect(() => prepareChunks([entity({ name: "f" })], { maxChars })).toThrow(RangeError);
  });
});

describe("prepareChunks: ids and hashes", () => {
  it("keeps the entity fields and adds id, text and the SHA-256 of the text", () => {
    const input = entity({ name: "f", startLine: 7, endLine: 8, qualifiedName: "Outer.f", kind: "method", parentQualifiedName: "Outer" });
    const chunk = single(input);
    expect(chunk).toEqual({ ...input, id: "pkg/mod.py:7:Outer.f", text: chunk.text, contentHash: sha256(chunk.text) });
    expect(chunk.contentHash).toMatch(/^[0-9a-f]{64}$/);
  });

  it("is deterministic and does not change its input", () => {
    const input = [entity({ name: "a" }), entity({ name: "b", startLine: 4, endLine: 5 })];
    const copy = structuredClone(input);
    const first = prepareChunks(input, LARGE);
    expect(prepareChunks(copy, LARGE)).toEqual(first);
    expect(input).toEqual(copy);
    expect(first.map((chunk) => chunk.id)).toEqual(["pkg/mod.py:1:a", "pkg/mod.py:4:b"]);
  });

  it("hashes only the text: a moved entity keeps its hash, an edited one gets a new hash", () => {
    const base = single(entity({ name: "f" }));
    const moved = single(entity({ name: "f", path: "other/place.py", startLine: 40, endLine: 41 }));
    const edited = single(entity({ name: "f", source: "def f():\n    return 1" }));
    const documented = single(entity({ name: "f", docstring: "Now documented." }));
    expect(moved.contentHash).toBe(base.contentHash);
    expect(moved.id).not.toBe(base.id);
    expect(new Set([base.contentHash, edited.contentHash, documented.contentHash]).size).toBe(3);
  });

  it("a truncated text's hash covers only what is kept", () => {
    const chunk = single(entity({ name: "f", source: `def f():\n${"    pass\n".repeat(50)}` }), 40);
    expect(chunk.contentHash).toBe(sha256(chunk.text));
    expect(chunk.contentHash).toBe(sha256("f\ndef f()\ndef f():\n    pass\n    pass"));
  });
});
