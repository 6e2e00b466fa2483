// The structural queries (definitions, references, outline, related) on fixtures/python-references,
// indexed for real with the test model, through a search session as the MCP server holds one.
import { mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import { findDefinitions, findReferences, findRelated, locateEntities, openSearchSession, outlineEntities, withStructure, type SearchSession } from "../../src/pipeline/index.js";
import { indexInProcess } from "../support/index-in-process.js";
import { PROJECT_ROOT, copyCommittedTree, makeTempDir } from "../support/temp-dirs.js";

const FIXTURE = path.join(PROJECT_ROOT, "fixtures", "python-references");

/** An indexed copy of the fixture in `repo` (default: a temp dir removed after the current test). */
async function indexedFixture(folder?: string): Promise<string> {
  const repo = folder ?? (await makeTempDir("codesearch-refs-"));
  await copyCommittedTree(FIXTURE, repo);
  await indexInProcess(repo);
  return repo;
}

function open(repo: string): Promise<SearchSession> {
  return openSearchSession({ cwd: repo, modelCacheDir: "/nonexistent-model-cache", offline: true });
}

/** `path:line kind confidence` of each reference to `subject`, in the tool's order. */
async function referencesOf(session: SearchSession, subject: string, direction: "references" | "callers" | "callees" = "references"): Promise<string[]> {
  return withStructure(session, (structure) =>
    findReferences(structure, locateEntities(structure, subject), { direction }).map(
      (hit) => `${hit.path}:${hit.line} ${hit.kind} ${hit.confidence}${direction === "callees" ? ` ${hit.target.qualifiedName}` : ` in ${hit.enclosing?.qualifiedName ?? "<module>"}`}`,
    ),
  );
}

describe("structural queries on fixtures/python-references", () => {
  let repo: string;
  let session: SearchSession;
  beforeAll(async () => {
    // Shared by the tests of this block, so not a makeTempDir (removed after each test).
    repo = await indexedFixture(await mkdtemp(path.join(os.tmpdir(), "codesearch-refs-")));
    session = await open(repo);
    return async () => {
      await session.close();
      await rm(repo, { recursive: true, force: true });
    };
  }, 120_000);

  it("resolves aliased imports and tells two functions of the same name apart", async () => {
    expect(await referencesOf(session, "shop/cart.py:6")).toEqual(["app/main.py:3 import resolved in <module>", "app/main.py:20 call resolved in run"]);
    // app.main.helper: called once; the parameter `helper` of shadowed() hides it, so line 26 is no reference.
    expect(await referencesOf(session, "app/main.py:9")).toEqual(["app/main.py:20 call resolved in run"]);
  });

  it("resolves self., super() and a method of the same name on another class, and labels calls on variables as name matches", async () => {
    expect(await referencesOf(session, "Cart.total")).toEqual([
      "app/main.py:43 call resolved in SpecialCart.total",
      "shop/cart.py:23 call resolved in Cart.checkout",
      "app/main.py:19 call name-match in run",
    ]);
    expect(await referencesOf(session, "Invoice.total")).toEqual(["shop/cart.py:36 call resolved in Invoice.render", "app/main.py:19 call name-match in run"]);
    expect(await referencesOf(session, "SpecialCart.total")).toEqual(["app/main.py:47 call resolved in SpecialCart.checkout", "app/main.py:19 call name-match in run"]);
  });

  it("follows re-exports, star imports, module aliases, decorators, base classes and nested functions", async () => {
    expect(await referencesOf(session, "shop.cart.Cart")).toEqual([
      "app/main.py:2 import resolved in <module>",
      "app/main.py:17 instantiate resolved in run",
      "app/main.py:38 inherit resolved in <module>",
      "shop/__init__.py:2 import resolved in <module>",
    ]);
    expect(await referencesOf(session, "round_price", "callers")).toEqual([
      "app/main.py:21 call resolved in run",
      "app/main.py:33 call resolved in outer.inner",
      "shop/cart.py:19 call resolved in Cart.total",
      "shop/pricing.py:13 call resolved in apply_discount",
      "shop/pricing.py:18 call resolved in format_price",
    ]);
    expect(await referencesOf(session, "logged")).toEqual(["app/main.py:4 import resolved in <module>", "app/main.py:14 decorator resolved in <module>"]);
    expect(await referencesOf(session, "outer.inner")).toEqual(["app/main.py:35 call resolved in outer"]);
    expect(await referencesOf(session, "Cart.checkout", "callees")).toEqual(["shop/cart.py:23 call resolved Cart.total", "shop/cart.py:24 call resolved apply_discount"]);
  });

  it("finds definitions exact > qualified > prefix > fuzzy, with filters", async () => {
    await withStructure(session, (structure) => {
      const ids = (query: string, filters = {}) => findDefinitions(structure, query, filters).map((hit) => `${hit.match} ${hit.entity.id}`);
      expect(ids("helper")).toEqual(["exact app/main.py:9:helper", "exact shop/cart.py:6:helper"]);
      expect(ids("helper", { paths: ["shop/"] })).toEqual(["exact shop/cart.py:6:helper"]);
      expect(ids("shop.pricing.round_price")).toEqual(["qualified shop/pricing.py:6:round_price"]);
      expect(ids("Cart.total")).toEqual(["qualified shop/cart.py:17:Cart.total"]);
      expect(ids("format")).toEqual(["prefix shop/pricing.py:16:format_price"]);
      expect(ids("*_price", { kinds: ["function"] })).toEqual(["glob shop/pricing.py:6:round_price", "glob shop/pricing.py:16:format_price"]);
      expect(ids("aplydsc")[0]).toBe("fuzzy shop/pricing.py:11:apply_discount");
    });
  });

  it("outlines a file as a tree and maps the repository most referenced first", async () => {
    await withStructure(session, (structure) => {
      const file = outlineEntities(structure, "shop/cart.py");
      expect(file.items.map((item) => `${"  ".repeat(item.depth)}${item.entity.name}`)).toEqual(["helper", "Cart", "  __init__", "  total", "  checkout", "Invoice", "  total", "  render"]);
      const map = outlineEntities(structure, "");
      expect(map.ranking).toBe("pagerank");
      // Referenced from other files first; never-referenced definitions last.
      expect(map.items.slice(0, 2).map((item) => item.entity.qualifiedName)).toEqual(["Cart", "round_price"]);
      const rankOf = (name: string) => map.items.findIndex((item) => item.entity.qualifiedName === name);
      expect(rankOf("shadowed")).toBeGreaterThan(rankOf("logged"));
      expect(map.items).toHaveLength(structure.entities.length);
      expect(() => outlineEntities(structure, "nowhere/")).toThrow(/holds no indexed definitions/);
    });
  });

  it("lists related definitions without the definition itself", async () => {
    const related = await withStructure(session, (structure) => findRelated(structure, locateEntities(structure, "Cart.total")[0]!, 5));
    expect(related).toHaveLength(5);
    expect(related.map((hit) => hit.entity.id)).not.toContain("shop/cart.py:17:Cart.total");
    expect(related.find((hit) => hit.entity.qualifiedName === "SpecialCart.total")?.linked).toBe(true);
  });
});

describe("references stay exact across index runs", () => {
  it("an edited file's references replace its old ones, and an index written before references were recorded gets them on its next run", async () => {
    const repo = await indexedFixture();
    const main = path.join(repo, "app", "main.py");
    await writeFile(main, (await readFile(main, "utf8")).replace("print(format_price(total), double(2), helper(3))", "print(format_price(total), helper(3))"));
    await indexInProcess(repo);
    let session = await open(repo);
    expect(await referencesOf(session, "shop/cart.py:6")).toEqual(["app/main.py:3 import resolved in <module>"]);
    await session.close();

    // An older index: its catalog holds no reference records.
    const catalogFile = path.join(repo, ".codesearch", "catalog.json");
    const catalog = JSON.parse(await readFile(catalogFile, "utf8")) as { files: Record<string, { references?: unknown }> };
    for (const entry of Object.values(catalog.files)) delete entry.references;
    await writeFile(catalogFile, JSON.stringify(catalog));
    session = await open(repo);
    expect(await withStructure(session, (structure) => structure.filesWithoutReferences)).toBe(6);
    expect(await referencesOf(session, "logged")).toEqual([]);
    await session.close();

    const { summary } = await indexInProcess(repo);
    expect(summary.chunksEmbedded).toBe(0);
    session = await open(repo);
    expect(await withStructure(session, (structure) => structure.filesWithoutReferences)).toBe(0);
    expect(await referencesOf(session, "logged")).toEqual(["app/main.py:4 import resolved in <module>", "app/main.py:14 decorator resolved in <module>"]);
    await session.close();
  }, 120_000);
});

describe("references beyond Python, through an indexed session", () => {
  it("a Go package's callers and callees resolve across files and packages", async () => {
    const repo = await makeTempDir("codesearch-refs-go-");
    await copyCommittedTree(path.join(PROJECT_ROOT, "fixtures", "references", "go"), repo);
    await indexInProcess(repo);
    const session = await open(repo);
    try {
      expect(await referencesOf(session, "Cart.Total")).toEqual([
        "cart/checkout.go:7 call resolved in Cart.Checkout",
        ...Array<string>(4).fill("cart/stock.go:16 call resolved in Stock.Count"),
        "main.go:14 call resolved in run",
      ]);
      expect(await referencesOf(session, "NewCart", "callers")).toEqual(["main.go:11 call resolved in run"]);
      expect(await referencesOf(session, "run", "callees")).toEqual([
        "main.go:11 call resolved NewCart",
        "main.go:13 instantiate resolved Cart",
        "main.go:14 call resolved Cart.Total",
        "main.go:14 call resolved Invoice.Total",
        "main.go:14 call resolved Cart.Checkout",
        "main.go:14 call resolved helper",
      ]);
    } finally {
      await session.close();
    }
  }, 120_000);
});

describe("references in a repository whose root is itself a package (an installed package folder)", () => {
  it("resolves imports by the package's own name under the root, and leaves a standard-library import alone", async () => {
    const repo = await makeTempDir("codesearch-package-root-");
    await copyCommittedTree(path.join(PROJECT_ROOT, "fixtures", "python-package-root"), repo);
    await indexInProcess(repo);
    const session = await open(repo);
    try {
      expect(await referencesOf(session, "mail/__init__.py:4")).toEqual([
        "alerts.py:3 import resolved in <module>",
        "alerts.py:9 call resolved in alert",
        "log.py:3 import resolved in <module>",
        "log.py:11 call resolved in AdminEmailHandler.send_mail",
        "log.py:15 call resolved in AdminEmailHandler.send_short",
      ]);
      // `from os.path import join` is the standard library's, not path.py's.
      expect(await referencesOf(session, "path.py:4")).toEqual([]);
    } finally {
      await session.close();
    }
  });
});
