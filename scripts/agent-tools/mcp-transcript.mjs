// A transcript of the official MCP SDK client calling each structural tool (and search/read) on an
// indexed repository over stdio, as an agent would: each call's arguments and the text answer.
// Usage: node scripts/agent-tools/mcp-transcript.mjs <indexed repo> '<tool> <json args>' ...
import path from "node:path";
import { Client } from "@modelcontextprotocol/sdk/client/index.js";
import { StdioClientTransport } from "@modelcontextprotocol/sdk/client/stdio.js";
import { CLI } from "../bench/bench-config.mjs";

const [repoArg, ...calls] = process.argv.slice(2);
if (!repoArg || calls.length === 0) {
  process.stdout.write("usage: node scripts/agent-tools/mcp-transcript.mjs <indexed repo> '<tool> <json args>' ...\n");
  process.exit(2);
}
const repo = path.resolve(repoArg);
const transport = new StdioClientTransport({ command: process.execPath, args: [CLI, "mcp", repo], cwd: repo, env: { ...process.env, CI: "1" }, stderr: "ignore" });
const client = new Client({ name: "codesearch-transcript", version: "0" });
await client.connect(transport);
const { tools } = await client.listTools();
process.stdout.write(`tools: ${tools.map((t) => t.name).join(", ")}\n`);
for (const spec of calls) {
  const space = spec.indexOf(" ");
  const name = space === -1 ? spec : spec.slice(0, space);
  const args = space === -1 ? {} : JSON.parse(spec.slice(space + 1));
  const answer = await client.callTool({ name, arguments: args });
  process.stdout.write(`\n> ${name} ${JSON.stringify(args)}${answer.isError ? "  [isError]" : ""}\n${answer.content[0].text}\n`);
}
await client.close();
