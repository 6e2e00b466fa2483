// The one package per language that scripts/lang/extract-speed.mjs and index-speed.mjs time
// (a subset of ctags-agreement.mjs's packages): [language id, source folder].
import path from "node:path";
import { fileURLToPath } from "node:url";

/** The project's root folder (with a trailing separator). */
export const ROOT = fileURLToPath(new URL("../../", import.meta.url));

/** [language id, absolute source folder] per language. */
export const PACKAGES = [
  ["python", "/usr/lib/python3/dist-packages/markdown"],
  ["typescript", path.join(ROOT, "node_modules/apache-arrow/src")],
  ["javascript", "/usr/share/nodejs/semver"],
  ["go", "/usr/share/gocode/src/github.com/google/uuid"],
  ["rust", "/usr/share/cargo/registry/smallvec-1.9.0"],
  ["java", "/tmp/lang-javasrc/jsoup/src/main"],
  ["ruby", "/usr/lib/ruby/vendor_ruby/mustache"],
];
