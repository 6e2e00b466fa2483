// The structural tools' registrations: symbols, outline, references, related. Their descriptions are
// written for the agent choosing a tool: when each beats grep and search, what it costs, examples.
import type { McpServer } from "@modelcontextprotocol/sdk/server/mcp.js";
import type { RequestHandlerExtra } from "@modelcontextprotocol/sdk/shared/protocol.js";
import type { CallToolResult, ServerNotification, ServerRequest } from "@modelcontextprotocol/sdk/types.js";
import type { IndexService } from "./index-service.js";
import { outlineToolInput, outlineToolOutput, runOutlineTool } from "./outline-tool.js";
import { referencesToolInput, referencesToolOutput, runReferencesTool } from "./references-tool.js";
import { relatedToolInput, relatedToolOutput, runRelatedTool } from "./related-tool.js";
import { runSymbolsTool, symbolsToolInput, symbolsToolOutput } from "./symbols-tool.js";

/** Wraps a tool handler so that failures become error results (mcp-server.ts's `guarded`). */
export type GuardTool = <A>(
  tool: string,
  handler: (args: A, extra: RequestHandlerExtra<ServerRequest, ServerNotification>) => Promise<CallToolResult>,
) => (args: A, extra: RequestHandlerExtra<ServerRequest, ServerNotification>) => Promise<CallToolResult>;

/** One-line lead of the server instructions about the structural tools. */
export const STRUCTURE_INSTRUCTIONS =
  "For structure, use the structural tools instead of grep: `symbols` finds where a name is defined, `references` who uses or calls it " +
  "(and what it calls), `outline` what a file holds or which definitions matter most in a folder, `related` code like a given definition.";

/**
 * Registers `symbols`, `outline`, `references` and `related` on `server`. Each answers from an
 * in-memory view of the committed index (read once per index version, ~0.1 s at 5,000
 * definitions), so a call costs milliseconds; each answer is paged and kept within `budget`
 * estimated tokens unless the call passes `max_tokens`.
 */
export function registerStructureTools(server: McpServer, service: IndexService, budget: number, guarded: GuardTool): void {
  const readOnly = { readOnlyHint: true, openWorldHint: false };
  server.registerTool(
    "symbols",
    {
      title: "Find definitions by name",
      description:
        "Where is X defined? Finds functions, methods and classes by name — exact (`mail_admins`), qualified (`Cart.total`, `pkg.module.func`), " +
        "glob (`*Error`, `test_*`) or fuzzy (`mladm`) — best match first (exact > qualified > prefix > glob > fuzzy), with signature and docstring line. " +
        "Use it instead of grep for `def X`/`class X`: it skips comments, strings and call sites. Costs a few ms; filter with kinds/paths/exclude_tests. " +
        "Each result's id works with read, references and related.",
      inputSchema: symbolsToolInput,
      outputSchema: symbolsToolOutput.shape,
      annotations: readOnly,
    },
    guarded("symbols", async (args) => runSymbolsTool(service, args, budget)),
  );
  server.registerTool(
    "outline",
    {
      title: "Outline a file or map a folder",
      description:
        "What is in this file or package? For a file (`path: \"pkg/models.py\"`): its classes, methods and functions as a tree with line ranges, " +
        "signatures and first docstring lines — cheaper than reading the file. For a folder (`pkg/`) or the repository (empty path): a map of " +
        "the definitions the rest of the code references most (PageRank over references), cut to the size budget; page with cursor for more. A few ms.",
      inputSchema: outlineToolInput,
      outputSchema: outlineToolOutput.shape,
      annotations: readOnly,
    },
    guarded("outline", async (args) => runOutlineTool(service, args, budget)),
  );
  server.registerTool(
    "references",
    {
      title: "Find references, callers, callees",
      description:
        "Who uses X? Lists the places that call, import, subclass, instantiate, decorate with or otherwise name a definition " +
        "(target: `mail_admins`, `Cart.total`, `file.py:120` or an id), each with the enclosing function and the line. Names are resolved " +
        "with what each file sees, in every indexed language (imports and aliases, re-exports, same-package files in Go and Java, `self.`/`this.`/receivers and base classes, " +
        "declared types of variables and fields, module qualifiers), so a shadowing local or another " +
        "class's method of the same name is not listed; calls on variables of unknown type come last, labelled confidence=name-match. " +
        "direction=callers keeps call sites; direction=callees lists what X calls. Use before renaming or changing a signature instead of grep. A few ms.",
      inputSchema: referencesToolInput,
      outputSchema: referencesToolOutput.shape,
      annotations: readOnly,
    },
    guarded("references", async (args) => runReferencesTool(service, args, budget)),
  );
  server.registerTool(
    "related",
    {
      title: "Find code like a definition",
      description:
        "What else looks like X? Definitions most similar to a given one (target: an id, `file.py:120` or a name): nearest by meaning " +
        "(stored embeddings), raised when they use the same names or call each other; the definition itself and its overloads are left out. " +
        "Use it to find duplicates to update together, sibling implementations, or examples of a pattern. ~10 ms.",
      inputSchema: relatedToolInput,
      outputSchema: relatedToolOutput.shape,
      annotations: readOnly,
    },
    guarded("related", async (args) => runRelatedTool(service, args, budget)),
  );
}
