import { styleText } from "node:util";
import { terminalText } from "../report/index.js";

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
 * Writes human-readable `text` to `stream` through `terminalText` (control characters from the
 * repository become visible escapes, line breaks stay), followed by a newline.
 */
export function writeHuman(stream: NodeJS.WritableStream, text: string): void {
  stream.write(`${terminalText(text)}\n`);
}
