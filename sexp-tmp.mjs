import { Parser, Language } from "web-tree-sitter";
import { createRequire } from "node:module";
import { readFileSync } from "node:fs";
const req = createRequire(process.cwd() + "/x.js");
await Parser.init();
const [pkg, wasm, file] = process.argv.slice(2);
const lang = await Language.load(req.resolve(`${pkg}/${wasm}`));
const p = new Parser(); p.setLanguage(lang);
const t = p.parse(readFileSync(file, "utf8"));
function show(n, d) { if (!n.isNamed) return; const f = ""; console.log("  ".repeat(d) + n.type + (n.childCount===0? " " + JSON.stringify(n.text.slice(0,30)) : "")); for (const c of n.children) show(c, d+1); }
show(t.rootNode, 0);
