import type { Readable, Writable } from "node:stream";
import { serializeMessage } from "@modelcontextprotocol/sdk/shared/stdio.js";
import type { Transport } from "@modelcontextprotocol/sdk/shared/transport.js";
import { type JSONRPCMessage, JSONRPCMessageSchema } from "@modelcontextprotocol/sdk/types.js";

/**
 * Largest JSON-RPC message accepted, in bytes (one line of stdin without its newline): 1 MiB. The
 * largest call the tools accept (a 2,000-character query, 50 globs of 500 characters) is under
 * 100 KB; the SDK's own stdio transport allows 10 MB and then closes the session.
 */
export const MAX_MESSAGE_BYTES = 1024 * 1024;

/** JSON-RPC 2.0 error codes used here. */
const PARSE_ERROR = -32700;
const INVALID_REQUEST = -32600;

/** Bytes of an oversized line's end kept to find its `"id"` (the SDK's client writes the id last). */
const TAIL_BYTES = 512;

/** Options of {@link LineStdioTransport}. */
export interface LineStdioTransportOptions {
  input: Readable;
  output: Writable;
  /** Largest message in bytes; default {@link MAX_MESSAGE_BYTES}. */
  maxMessageBytes?: number;
}

/**
 * The MCP stdio transport (newline-delimited JSON-RPC, as the SDK's `StdioServerTransport`) with
 * a per-message size limit that keeps the session alive: a line over the limit is skipped as it
 * streams in (never held whole in memory), answered with a JSON-RPC error (code -32600, with the
 * request's id when its last bytes name one), and reported through `onerror`; the next line is
 * read as usual. A line that is not JSON gets a -32700 error, one that is not a JSON-RPC message a
 * -32600 error (with its id when it has one). The SDK's transport instead closes the whole session
 * on a line over 10 MB, and answers neither kind of bad line.
 */
export class LineStdioTransport implements Transport {
  onclose?: () => void;
  onerror?: (error: Error) => void;
  onmessage?: (message: JSONRPCMessage) => void;

  private readonly input: Readable;
  private readonly output: Writable;
  private readonly maxMessageBytes: number;
  /** Pieces of the line being read, while it is within the limit. */
  private pending: Buffer[] = [];
  private pendingBytes = 0;
  /** Set while the rest of an oversized line is skipped: its size so far, and its last bytes. */
  private oversized: { bytes: number; tail: Buffer } | null = null;

  constructor(options: LineStdioTransportOptions) {
    this.input = options.input;
    this.output = options.output;
    this.maxMessageBytes = options.maxMessageBytes ?? MAX_MESSAGE_BYTES;
  }

  /** Starts reading messages from the input. */
  async start(): Promise<void> {
    this.input.on("data", this.onData);
    this.input.on("error", this.onInputError);
  }

  /** Writes one message as a line; resolves once the output took it (after a `drain` when it was full). */
  send(message: JSONRPCMessage): Promise<void> {
    return new Promise((resolve) => {
      if (this.output.write(serializeMessage(message))) resolve();
      else this.output.once("drain", resolve);
    });
  }

  /** Stops reading (pausing the input unless another reader listens) and calls `onclose`. */
  async close(): Promise<void> {
    this.input.off("data", this.onData);
    this.input.off("error", this.onInputError);
    if (this.input.listenerCount("data") === 0) this.input.pause();
    this.pending = [];
    this.pendingBytes = 0;
    this.oversized = null;
    this.onclose?.();
  }

  private readonly onInputError = (error: Error): void => {
    this.onerror?.(error);
  };

  private readonly onData = (chunk: Buffer | string): void => {
    const bytes = typeof chunk === "string" ? Buffer.from(chunk) : chunk;
    let start = 0;
    while (start <= bytes.length) {
      const newline = bytes.indexOf(0x0a, start);
      const piece = bytes.subarray(start, newline === -1 ? bytes.length : newline);
      this.take(piece);
      if (newline === -1) return;
      this.endLine();
      start = newline + 1;
    }
  };

  /** Adds a piece of the current line, switching to skipping once the line passes the limit. */
  private take(piece: Buffer): void {
    if (piece.length === 0) return;
    if (this.oversized) {
      this.oversized.bytes += piece.length;
      this.oversized.tail = lastBytes(Buffer.concat([this.oversized.tail, piece]));
      return;
    }
    if (this.pendingBytes + piece.length <= this.maxMessageBytes) {
      this.pending.push(piece);
      this.pendingBytes += piece.length;
      return;
    }
    this.oversized = { bytes: this.pendingBytes + piece.length, tail: lastBytes(Buffer.concat([...this.pending, piece])) };
    this.pending = [];
    this.pendingBytes = 0;
  }

  /** Handles the line just ended: rejects an oversized one, parses and delivers any other. */
  private endLine(): void {
    if (this.oversized) {
      const { bytes, tail } = this.oversized;
      this.oversized = null;
      const id = idAtEnd(tail.toString("utf8"));
      const message = `message of ${bytes} bytes is over the server's limit of ${this.maxMessageBytes} bytes; send smaller arguments`;
      this.onerror?.(new Error(`rejected a JSON-RPC message: ${message}`));
      this.reply(INVALID_REQUEST, message, id);
      return;
    }
    const line = Buffer.concat(this.pending).toString("utf8").replace(/\r$/, "");
    this.pending = [];
    this.pendingBytes = 0;
    if (line.trim() === "") return;
    let json: unknown;
    try {
      json = JSON.parse(line);
    } catch (error) {
      this.onerror?.(new Error(`rejected a line that is not JSON: ${(error as Error).message}`));
      this.reply(PARSE_ERROR, "parse error: the line is not JSON");
      return;
    }
    const parsed = JSONRPCMessageSchema.safeParse(json);
    if (!parsed.success) {
      this.onerror?.(new Error("rejected a line that is not a JSON-RPC 2.0 message"));
      const id = (json as { id?: unknown } | null)?.id;
      this.reply(INVALID_REQUEST, "invalid request: not a JSON-RPC 2.0 message", typeof id === "string" || typeof id === "number" ? id : undefined);
      return;
    }
    this.onmessage?.(parsed.data);
  }

  private reply(code: number, message: string, id?: string | number): void {
    this.send({ jsonrpc: "2.0", ...(id !== undefined ? { id } : {}), error: { code, message } } as JSONRPCMessage).catch((error: unknown) => this.onerror?.(error as Error));
  }
}

function lastBytes(buffer: Buffer): Buffer {
  return buffer.length <= TAIL_BYTES ? buffer : Buffer.from(buffer.subarray(buffer.length - TAIL_BYTES));
}

/** The `"id"` member that ends a JSON object's text (`…,"id":7}`), or undefined. */
function idAtEnd(text: string): string | number | undefined {
  const match = /"id"\s*:\s*(-?\d{1,15}|"(?:[^"\\]|\\.){0,200}")\s*\}\s*$/.exec(text);
  if (!match?.[1]) return undefined;
  try {
    const id: unknown = JSON.parse(match[1]);
    return typeof id === "number" || typeof id === "string" ? id : undefined;
  } catch {
    return undefined;
  }
}
