import { describe, expect, it } from "vitest";
import { arrangeHits } from "../../src/rank/arrange-hits.js";
import { makeChunk } from "../support/chunks.js";

const cart = makeChunk("shop/cart.py", 1, "Cart", { kind: "class" });
const total = makeChunk("shop/cart.py", 5, "Cart.total");
const add = makeChunk("shop/cart.py", 9, "Cart.add");
const helper = makeChunk("shop/util.py", 1, "total");
const otherCart = makeChunk("shop/other.py", 1, "Cart", { kind: "class" });
const otherTotal = makeChunk("shop/other.py", 3, "Cart.total");

const hit = (chunk: typeof cart, score: number) => ({ chunk, score });
const shown = (hits: { chunk: { qualifiedName: string; path: string }; score: number }[]) => hits.map((h) => `${h.chunk.path} ${h.chunk.qualifiedName} ${h.score}`);

describe("arrangeHits", () => {
  it.each([
    { name: "keeps a list without duplicates or class/method pairs as it is", hits: [hit(helper, 3), hit(total, 2)], expected: ["shop/util.py total 3", "shop/cart.py Cart.total 2"] },
    { name: "shows an entity once, at its first place", hits: [hit(helper, 3), hit(total, 2), hit(helper, 1)], expected: ["shop/util.py total 3", "shop/cart.py Cart.total 2"] },
    {
      name: "a class ranked above its method gives its place and score to the method",
      hits: [hit(cart, 5), hit(helper, 4), hit(total, 3)],
      expected: ["shop/cart.py Cart.total 5", "shop/util.py total 4"],
    },
    {
      name: "a method ranked above its class keeps its place; the class goes",
      hits: [hit(add, 5), hit(helper, 4), hit(cart, 3)],
      expected: ["shop/cart.py Cart.add 5", "shop/util.py total 4"],
    },
    {
      name: "with two methods of the class, the better one replaces the class and the other stays",
      hits: [hit(cart, 5), hit(add, 4), hit(total, 3)],
      expected: ["shop/cart.py Cart.add 5", "shop/cart.py Cart.total 3"],
    },
    {
      name: "a class of the same name in another file is not folded",
      hits: [hit(otherCart, 5), hit(total, 4)],
      expected: ["shop/other.py Cart 5", "shop/cart.py Cart.total 4"],
    },
    {
      name: "each class folds with its own methods",
      hits: [hit(cart, 6), hit(otherCart, 5), hit(otherTotal, 4), hit(total, 3)],
      expected: ["shop/cart.py Cart.total 6", "shop/other.py Cart.total 5"],
    },
    { name: "an empty list stays empty", hits: [], expected: [] },
  ])("$name", ({ hits, expected }) => {
    const before = JSON.stringify(hits);
    expect(shown(arrangeHits(hits))).toEqual(expected);
    expect(JSON.stringify(hits)).toBe(before);
  });
});
