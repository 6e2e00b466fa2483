// A loopback HTTP server that serves a model directory in the Hugging Face hub's URL layout:
// GET /<owner>/<name>/resolve/<revision>/<file> → the file, 404 otherwise.
import { readFile } from "node:fs/promises";
import http from "node:http";
import type { AddressInfo } from "node:net";
import path from "node:path";

/** A running loopback hub. */
export interface HubServer {
  /** `http://127.0.0.1:<port>` */
  endpoint: string;
  /** Every request path, in arrival order. */
  requests: string[];
  close(): Promise<void>;
}

/** Serves `modelDir` as hub repository `repoId` on 127.0.0.1 (an ephemeral port). */
export async function startHubServer(repoId: string, modelDir: string): Promise<HubServer> {
  const requests: string[] = [];
  const prefix = `/${repoId}/resolve/main/`;
  const server = http.createServer((req, res) => {
    const url = decodeURIComponent(req.url ?? "");
    requests.push(url);
    if (!url.startsWith(prefix) || url.includes("..")) {
      res.writeHead(404).end("not found");
      return;
    }
    readFile(path.join(modelDir, url.slice(prefix.length))).then(
      (body) => res.writeHead(200, { "content-type": "application/octet-stream", "content-length": body.length }).end(body),
      () => res.writeHead(404).end("not found"),
    );
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  return {
    endpoint: `http://127.0.0.1:${port}`,
    requests,
    close: () => new Promise<void>((resolve, reject) => server.close((e) => (e ? reject(e) : resolve()))),
  };
}
