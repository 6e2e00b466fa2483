import { existsSync, realpathSync } from "node:fs";
import path from "node:path";

/**
 * How the user started codesearch, as they can type it again: `codesearch` (the one on `PATH`),
 * `npx codesearch`, the installed bin link as typed (`/opt/tools/node_modules/.bin/codesearch`: a
 * program without `.js`, which the shell ran by its `#!` line, so `argv[1]` is the path the user
 * gave, made absolute), or `node <script>` (relative to `cwd` when below it).
 */
export function invokedProgram(argv: readonly string[] = process.argv, env: NodeJS.ProcessEnv = process.env, cwd = process.cwd()): string {
  const script = argv[1];
  if (script === undefined) return "codesearch";
  if (isOnPath("codesearch", script, env)) return "codesearch";
  if (env["npm_command"] === "exec" && path.basename(script) === "codesearch") return "npx codesearch";
  if (!/\.[cm]?js$/.test(script)) return shellQuote(script);
  const relative = path.relative(cwd, script);
  return `node ${shellQuote(relative.startsWith("..") || path.isAbsolute(relative) ? script : relative)}`;
}

/** True when `name` found on `PATH` is the same file as `script` (symlinks resolved). */
function isOnPath(name: string, script: string, env: NodeJS.ProcessEnv): boolean {
  let target: string;
  try {
    target = realpathSync(script);
  } catch {
    return false;
  }
  for (const dir of (env["PATH"] ?? "").split(path.delimiter)) {
    const candidate = path.join(dir, name);
    try {
      if (dir !== "" && existsSync(candidate) && realpathSync(candidate) === target) return true;
    } catch {
      // an unreadable PATH entry is not this program
    }
  }
  return false;
}

/**
 * The command that resumes an `index` run: the program as invoked (see {@link invokedProgram})
 * and the same arguments, quoted for a POSIX shell, so it works as printed from the same folder.
 * `args` are the arguments after the program (`["index", "big", "--model", "m"]`).
 */
export function resumeCommandLine(args: readonly string[], program = invokedProgram()): string {
  return [program, ...args.map(shellQuote)].join(" ");
}

/** `text` as one POSIX shell word: unchanged when it holds only safe characters, else in single quotes. */
export function shellQuote(text: string): string {
  if (text !== "" && /^[A-Za-z0-9_@%+=:,./-]+$/.test(text)) return text;
  return `'${text.replace(/'/g, `'\\''`)}'`;
}
