import { styleText } from "node:util";

/**
 * Whether to colour output on `stream`: never when `NO_COLOR` is non-empty (https://no-color.org)
 * or `TERM=dumb`; always when `FORCE_COLOR` is set to something other than `0`; else only on a TTY.
 */
export function shouldColor(stream: NodeJS.WriteStream, env: NodeJS.ProcessEnv = process.env): boolean {
  if (env.NO_COLOR) return false;
  if (env.FORCE_COLOR !== undefined) return env.FORCE_COLOR !== "0";
  if (env.TERM === "dumb") return false;
  return stream.isTTY === true;
}

/** Styles `text` with Node's `util.styleText` when `enabled`, else returns it unchanged. */
export function paint(enabled: boolean, format: Parameters<typeof styleText>[0], text: string): string {
  return enabled ? styleText(format, text) : text;
}

/**
 * Replaces control characters (C0 except tab, DEL, C1) with visible escapes (`\x1b` → `\\x1b`), so
 * text taken from indexed code cannot move the cursor or recolour the terminal.
 */
export function escapeControlChars(text: string): string {
  // eslint-disable-next-line no-control-regex
  return text.replace(/[\u0000-\u0008\u000a-\u001f\u007f-\u009f]/g, (c) => `\\x${c.charCodeAt(0).toString(16).padStart(2, "0")}`);
}
