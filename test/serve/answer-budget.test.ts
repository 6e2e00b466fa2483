import { describe, expect, it } from "vitest";
import { UsageError } from "../../src/model/errors.js";
import { MAX_CURSOR_OFFSET, cutText, decodeCursor, encodeCursor, estimateTokens, searchFingerprint } from "../../src/serve/answer-budget.js";

describe("paging cursors", () => {
  it("round-trips a cursor", () => {
    const cursor = { offset: 14, depth: 50, search: searchFingerprint(["q", "hybrid", {}]), indexVersion: "2026-11-30T12:00:00.000Z" };
    expect(decodeCursor(encodeCursor(cursor))).toEqual(cursor);
  });

  it.each([
    ["not base64 JSON", "%%%"],
    ["JSON but not an object", Buffer.from("42").toString("base64url")],
    ["a negative offset", encodeCursor({ offset: -1, depth: 50, search: "s", indexVersion: "v" })],
    ["a fractional offset", encodeCursor({ offset: 1.5, depth: 50, search: "s", indexVersion: "v" })],
    ["a zero depth", encodeCursor({ offset: 0, depth: 0, search: "s", indexVersion: "v" })],
    ["an offset of 1e300", encodeCursor({ offset: 1e300, depth: 50, search: "s", indexVersion: "v" })],
    ["an offset past MAX_CURSOR_OFFSET", encodeCursor({ offset: MAX_CURSOR_OFFSET + 1, depth: 50, search: "s", indexVersion: "v" })],
    ["a depth of 1e300", encodeCursor({ offset: 0, depth: 1e300, search: "s", indexVersion: "v" })],
    ["no search fingerprint", Buffer.from(JSON.stringify({ offset: 0, depth: 50, indexVersion: "v" })).toString("base64url")],
  ])("rejects %s as a usage error", (_case, text) => {
    expect(() => decodeCursor(text)).toThrow(UsageError);
  });

  it("fingerprints differ when the query, mode or filters differ", () => {
    const base = searchFingerprint(["q", "hybrid", { excludeTests: false }]);
    expect(searchFingerprint(["q", "hybrid", { excludeTests: false }])).toBe(base);
    expect(searchFingerprint(["q2", "hybrid", { excludeTests: false }])).not.toBe(base);
    expect(searchFingerprint(["q", "lexical", { excludeTests: false }])).not.toBe(base);
    expect(searchFingerprint(["q", "hybrid", { excludeTests: true }])).not.toBe(base);
  });

  it("estimates tokens as characters ÷ 3, rounded up", () => {
    expect([estimateTokens(""), estimateTokens("abc"), estimateTokens("abcd"), estimateTokens("x".repeat(3000))]).toEqual([0, 1, 2, 1000]);
  });
});

describe("cutText", () => {
  it.each([
    ["short text stays", "abc", 5, "abc"],
    ["exact length stays", "abcde", 5, "abcde"],
    ["cut with an ellipsis", "abcdefgh", 5, "abcd…"],
    ["a surrogate pair is not split", "ab😀cd", 3, "ab…"],
    ["zero characters", "abc", 0, ""],
  ])("%s", (_label, text, max, expected) => {
    expect(cutText(text, max)).toBe(expected);
    expect(cutText(text, max).length).toBeLessThanOrEqual(max);
  });
});
