// Preloaded into a CLI child process (`node --import <this file>`): at exit, writes every module the
// process loaded — ES modules through a load hook, CommonJS ones from require.cache — one URL or path
// a line, to the file named by CODESEARCH_TEST_LOADED_MODULES. Tests read it to prove what a command
// did not load (the model runtime, the grammars, Ink).
import { writeFileSync } from "node:fs";
import { createRequire, register } from "node:module";
import { MessageChannel } from "node:worker_threads";

const out = process.env.CODESEARCH_TEST_LOADED_MODULES;
if (out) {
  const loaded = new Set();
  const { port1, port2 } = new MessageChannel();
  port1.on("message", (url) => loaded.add(url));
  port1.unref();
  const hooks = `let port;
export function initialize(data) { port = data.port; }
export async function load(url, context, nextLoad) { port.postMessage(url); return nextLoad(url, context); }`;
  register(`data:text/javascript,${encodeURIComponent(hooks)}`, import.meta.url, { data: { port: port2 }, transferList: [port2] });
  const require = createRequire(import.meta.url);
  process.on("exit", () => {
    for (const file of Object.keys(require.cache)) loaded.add(file);
    writeFileSync(out, [...loaded].join("\n") + "\n");
  });
}
