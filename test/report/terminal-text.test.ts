import { describe, expect, it } from "vitest";
import { escapeControlChars, terminalText } from "../../src/report/index.js";

describe("escapeControlChars", () => {
  it.each([
    ["plain text", "def f(x): return x", "def f(x): return x"],
    ["a tab stays", "a\tb", "a\tb"],
    ["OSC window title", "evil\u001b]0;PWNED\u0007name.py", "evil\\x1b]0;PWNED\\x07name.py"],
    ["CSI clear screen", "clear\u001b[2Jme.py", "clear\\x1b[2Jme.py"],
    ["SGR colours", "\u001b[31;43mPAYLOAD = )))", "\\x1b[31;43mPAYLOAD = )))"],
    ["newline and carriage return", "a\nb\rc", "a\\x0ab\\x0dc"],
    ["NUL, DEL and C1 CSI", "\u0000\u007f\u009b", "\\x00\\x7f\\x9b"],
    ["bidi override (Trojan Source)", "admin\u202e\u2066x", "admin\\u202e\\u2066x"],
    ["line and paragraph separators", "a\u2028b\u2029c", "a\\u2028b\\u2029c"],
    ["non-ASCII letters stay", "größe_ñ = 'ü'", "größe_ñ = 'ü'"],
  ])("%s", (_label, input, expected) => {
    expect(escapeControlChars(input)).toBe(expected);
  });
});

describe("terminalText", () => {
  it("keeps line breaks and escapes everything else in each line", () => {
    expect(terminalText("line one\n\u001b[2Jline two\r\n")).toBe("line one\n\\x1b[2Jline two\\x0d\n");
  });
});
