// A loopback HTTP server implementing OpenAI's `POST /v1/embeddings` on 127.0.0.1 (an ephemeral
// port), with faults injected per request. It answers only what it is sent and refuses requests
// past `maxRequests`, so a runaway client loop ends by itself and shows in `requests`.
import http from "node:http";
import type { AddressInfo } from "node:net";

/** A fault the server injects into one request instead of (or into) its normal answer. */
export type Fault =
  | { kind: "status"; status: number; message?: string; headers?: Record<string, string> }
  /** Never answer; the client's timeout must fire. */
  | { kind: "hang" }
  /** 200 with a body that is not JSON. */
  | { kind: "malformed" }
  /** 200 with vectors of another length. */
  | { kind: "wrong-dimension"; dimension: number }
  /** 200 with one embedding fewer than inputs. */
  | { kind: "missing-item" }
  /** 200, valid, with `data` in reverse order (the client must sort by `index`). */
  | { kind: "shuffled" };

/** One request as the server saw it. */
export interface RecordedRequest {
  inputs: string[];
  model: string;
  /** The `Authorization` header, verbatim (or undefined). */
  authorization: string | undefined;
  /** The fault injected, if any. */
  fault?: Fault["kind"];
}

/** Options of {@link startOpenAIServer}. */
export interface OpenAIServerOptions {
  /** Computes the vectors (e.g. the committed test model, or `hashVector`). */
  embed: (texts: string[]) => Promise<Float32Array[]>;
  /** When set, any other `model` gets 404 `model not found`. */
  model?: string;
  /** When set, requests without `Authorization: Bearer <apiKey>` get 401 quoting the key they sent. */
  apiKey?: string;
  /** Chooses a fault for request number `n` (1-based, arrival order) with these inputs. */
  fault?: (n: number, inputs: string[]) => Fault | undefined;
  /** Requests answered at most; later ones get 503 without Retry-After. Default 500. */
  maxRequests?: number;
}

/** A running server. */
export interface OpenAIServer {
  /** `http://127.0.0.1:<port>/v1` */
  baseUrl: string;
  requests: RecordedRequest[];
  close(): Promise<void>;
}

/** Starts the server; `close()` also drops hanging connections. */
export async function startOpenAIServer(options: OpenAIServerOptions): Promise<OpenAIServer> {
  const requests: RecordedRequest[] = [];
  const maxRequests = options.maxRequests ?? 500;
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on("data", (d: Buffer) => chunks.push(d));
    req.on("end", () => {
      const send = (status: number, body: unknown, headers: Record<string, string> = {}) =>
        res.writeHead(status, { "content-type": "application/json", ...headers }).end(typeof body === "string" ? body : JSON.stringify(body));
      if (req.method !== "POST" || req.url !== "/v1/embeddings") return send(404, { error: { message: `no route ${req.method} ${req.url}` } });
      let parsed: { input?: unknown; model?: unknown };
      try {
        parsed = JSON.parse(Buffer.concat(chunks).toString("utf8")) as typeof parsed;
      } catch {
        return send(400, { error: { message: "body is not JSON" } });
      }
      const inputs = Array.isArray(parsed.input) ? parsed.input.map(String) : [String(parsed.input)];
      const record: RecordedRequest = { inputs, model: String(parsed.model), authorization: req.headers.authorization };
      requests.push(record);
      if (requests.length > maxRequests) return send(503, { error: { message: "request cap reached" } });
      if (options.apiKey && req.headers.authorization !== `Bearer ${options.apiKey}`) {
        return send(401, { error: { message: `Incorrect API key provided: ${req.headers.authorization ?? "(none)"}` } });
      }
      if (options.model && record.model !== options.model) return send(404, { error: { message: `model ${record.model} not found` } });
      if (inputs.some((t) => t === "")) return send(400, { error: { message: "input must not be empty" } });
      const fault = options.fault?.(requests.length, inputs);
      if (fault) record.fault = fault.kind;
      if (fault?.kind === "hang") return;
      if (fault?.kind === "status") return send(fault.status, { error: { message: fault.message ?? `injected ${fault.status}` } }, fault.headers);
      if (fault?.kind === "malformed") return send(200, '{"data": [{"index": 0, "embedding": [0.1, ');
      options.embed(inputs).then(
        (vectors) => {
          let data = vectors.map((v, index) => ({
            object: "embedding",
            index,
            embedding: fault?.kind === "wrong-dimension" ? Array.from(v.slice(0, fault.dimension)) : Array.from(v),
          }));
          if (fault?.kind === "missing-item") data = data.slice(1);
          if (fault?.kind === "shuffled") data = data.reverse();
          send(200, { object: "list", data, model: record.model, usage: { prompt_tokens: 0, total_tokens: 0 } });
        },
        (error: unknown) => send(500, { error: { message: `embedding failed: ${String(error)}` } }),
      );
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  return {
    baseUrl: `http://127.0.0.1:${port}/v1`,
    requests,
    close: () =>
      new Promise<void>((resolve, reject) => {
        server.close((e) => (e ? reject(e) : resolve()));
        server.closeAllConnections();
      }),
  };
}

/** Every text sent, over all requests, with repeats (retries and halving send texts again). */
export function sentTexts(server: OpenAIServer): string[] {
  return server.requests.flatMap((r) => r.inputs);
}
