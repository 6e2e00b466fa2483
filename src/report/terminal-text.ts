/**
 * The one place where text bound for a terminal is made safe: anything that came from the
 * repository (paths, names, source lines, parser and error messages) may hold control characters
 * that set the window title (OSC `ESC ] 0 ;`), recolour (`ESC [ 31 m`) or clear the screen. Every
 * human output path (plain reporter, Ink view, status, search hits and warnings, fatal errors)
 * passes its text through these functions just before writing, and so does the text an MCP tool
 * answers with (an agent reads it as lines too); JSON output needs no escaping.
 */

/**
 * C0 controls except tab (newline included), DEL, C1 controls, the Unicode bidirectional
 * controls (U+061C, U+200E–U+200F, U+202A–U+202E, U+2066–U+2069) that can make a terminal show
 * text in another order than it is stored ("Trojan Source", CVE-2021-42574), and the Unicode line
 * and paragraph separators (U+2028, U+2029), which some readers break lines at: a name holding
 * one could otherwise start a line of its own in what an agent reads.
 */
// eslint-disable-next-line no-control-regex
const UNSAFE = /[\u0000-\u0008\u000a-\u001f\u007f-\u009f\u061c\u200e\u200f\u2028\u2029\u202a-\u202e\u2066-\u2069]/g;

function visible(char: string): string {
  const code = char.charCodeAt(0);
  return code < 0x100 ? `\\x${code.toString(16).padStart(2, "0")}` : `\\u${code.toString(16).padStart(4, "0")}`;
}

/**
 * `text` with every unsafe character (see above) replaced by a visible escape: `\x1b` for ESC,
 * `\x0a` for a newline, `\u202e` for RIGHT-TO-LEFT OVERRIDE. For one field or one line.
 */
export function escapeControlChars(text: string): string {
  return text.replace(UNSAFE, visible);
}

/**
 * `text` made safe for a terminal but keeping its line breaks: each `\n`-separated line is passed
 * through {@link escapeControlChars} (so a `\r` or ESC inside a line is still escaped).
 */
export function terminalText(text: string): string {
  return text.split("\n").map(escapeControlChars).join("\n");
}
