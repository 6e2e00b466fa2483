import { describe, expect, it } from "vitest";
import { findMatchLine, namedSymbols } from "../../src/rank/query-words.js";
import { makeChunk } from "../support/chunks.js";

describe("namedSymbols", () => {
  it.each([
    ["where is parse_header() called", ["parse_header"]],
    ["Cart.total", ["Cart.total"]],
    ["what does getUrl return", ["getUrl"]],
    ["retry()", ["retry"]],
    ["retry", ["retry"]],
    ["  retry  ", ["retry"]],
    ["retry a request", []],
    ["http client", []],
    ["use os.path.join and parse_header, then parse_header again", ["os.path.join", "parse_header"]],
    ["", []],
  ])("%j → %j", (query, symbols) => {
    expect(namedSymbols(query)).toEqual(symbols);
  });
});

describe("findMatchLine", () => {
  const chunk = makeChunk("net.py", 10, "retry_request", {
    source: [
      "def retry_request(send, request):",
      '    """Send again when the connection resets."""',
      "    for attempt in range(5):",
      "        try:",
      "            return send(request)",
      "        except ConnectionResetError:",
      "            continue",
    ].join("\n"),
  });

  it.each([
    ["connection reset error", 15],
    ["how to send when the connection resets", 11],
    ["attempt", 12],
    ["the to of", 10],
    ["zebra", 10],
  ])("%j → line %i", (query, line) => {
    expect(findMatchLine(chunk, query)).toBe(line);
  });
});
