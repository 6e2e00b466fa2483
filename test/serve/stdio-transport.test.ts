// The size-limited stdio transport over real streams: lines split anywhere, oversized and malformed lines answered, the session going on.
import { PassThrough } from "node:stream";
import { describe, expect, it } from "vitest";
import { LineStdioTransport } from "../../src/serve/stdio-transport.js";

/** A started transport over fresh streams, collecting what it delivers, answers and reports. */
async function openTransport(maxMessageBytes: number) {
  const input = new PassThrough();
  const output = new PassThrough();
  const transport = new LineStdioTransport({ input, output, maxMessageBytes });
  const messages: unknown[] = [];
  const errors: string[] = [];
  let written = "";
  output.on("data", (chunk: Buffer) => (written += chunk.toString()));
  transport.onmessage = (message) => messages.push(message);
  transport.onerror = (error) => errors.push(error.message);
  await transport.start();
  const replies = () => written.split("\n").filter((line) => line !== "").map((line) => JSON.parse(line) as { id?: unknown; error?: { code: number; message: string } });
  const settle = () => new Promise((resolve) => setImmediate(resolve));
  return { input, transport, messages, errors, replies, settle };
}

const request = (id: number, query: string) => JSON.stringify({ method: "tools/call", params: { name: "search", arguments: { query } }, jsonrpc: "2.0", id });

describe("LineStdioTransport", () => {
  it("delivers messages split across chunks at any byte, two in one chunk, CRLF endings and blank lines", async () => {
    const { input, messages, settle } = await openTransport(1_000);
    const text = `${request(1, "größe")}\r\n\n${request(2, "b")}\n`;
    const bytes = Buffer.from(text);
    for (let i = 0; i < bytes.length; i += 7) input.write(bytes.subarray(i, i + 7));
    await settle();
    expect(messages.map((m) => (m as { id: number }).id)).toEqual([1, 2]);
    expect((messages[0] as { params: { arguments: { query: string } } }).params.arguments.query).toBe("größe");
  });

  it("answers a line over the limit with an error carrying its id, without holding it, and reads the next line", async () => {
    const { input, messages, errors, replies, settle } = await openTransport(1_000);
    const big = request(7, "x".repeat(50_000));
    for (let i = 0; i < big.length; i += 4_096) input.write(big.slice(i, i + 4_096));
    input.write(`\n${request(8, "small")}\n`);
    await settle();
    expect(messages.map((m) => (m as { id: number }).id)).toEqual([8]);
    expect(replies()).toEqual([{ jsonrpc: "2.0", id: 7, error: { code: -32600, message: expect.stringMatching(/message of 50\d{3} bytes is over the server's limit of 1000 bytes/) } }]);
    expect(errors).toHaveLength(1);
  });

  it("answers a line over the limit whose id cannot be found with an error without id", async () => {
    const { input, replies, settle } = await openTransport(100);
    input.write(`${"y".repeat(500)}\n`);
    await settle();
    expect(replies()).toEqual([{ jsonrpc: "2.0", error: { code: -32600, message: expect.stringMatching(/over the server's limit/) } }]);
  });

  it("answers a line that is not JSON (-32700) and JSON that is not JSON-RPC (-32600, with its id)", async () => {
    const { input, messages, replies, settle } = await openTransport(1_000);
    input.write(`{not json\n{"jsonrpc":"1.0","id":5,"method":3}\n${request(6, "ok")}\n`);
    await settle();
    expect(replies().map((r) => [r.id, r.error?.code])).toEqual([
      [undefined, -32700],
      [5, -32600],
    ]);
    expect(messages).toHaveLength(1);
  });
});
