// Seeded adversarial probes of the MCP `read` tool (issue 19): secrets, ignored and index files,
// links of every shape made before and after indexing, FIFOs, devices and oversized files, each
// reached through many spellings of its path and by id, some calls in parallel. Every answer must
// be a refusal saying why, or the current text of a file the index holds: 0 files served outside the index.
import { execFileSync } from "node:child_process";
import { mkdir, readFile, readdir, rename, rm, symlink, writeFile } from "node:fs/promises";
import path from "node:path";
import { describe, expect, it } from "vitest";
import type { SearchToolResult } from "../../src/serve/search-tool.js";
import { connectMcp } from "../support/mcp-client.js";
import { runCli } from "../support/run-cli.js";
import { seededRandom } from "../support/seeded-random.js";
import { TEST_MODEL_DIR, makeTempDir } from "../support/temp-dirs.js";

const SEED = 20261207;
const PROBES = 600;
/** Calls sent at once: more than libuv's four file threads, so one blocked open would show. */
const PARALLEL = 8;

type ToolAnswer = { isError?: boolean; content: { type: string; text: string }[]; structuredContent?: unknown };

/** Files the index holds and that stay as indexed: the only ones `read` may serve. */
const SERVABLE: Record<string, string> = {
  "app.py": "def handler(event):\n    return 'SERVABLE_app'\n",
  "pkg/models.py": "class Cart:\n    def total(self):\n        return 'SERVABLE_models'\n",
  "pkg/sub/util.py": "def helper(x):\n\treturn 'SERVABLE_util'\n",
};

/** Indexed files turned into something else after indexing (see `mutate`). */
const SWAPPED: Record<string, string> = {
  "swap_link.py": "def swap_link():\n    return 'FORBIDDEN_swap_link'\n",
  "swap_chain.py": "def swap_chain():\n    return 'FORBIDDEN_swap_chain'\n",
  "swap_inside.py": "def swap_inside():\n    return 'FORBIDDEN_swap_inside'\n",
  "swap_fifo.py": "def swap_fifo():\n    return 'FORBIDDEN_swap_fifo'\n",
  "swap_big.py": "def swap_big():\n    return 'FORBIDDEN_swap_big'\n",
  "swapdir/mod.py": "def swapdir_mod():\n    return 'FORBIDDEN_swapdir'\n",
};

/** Files in the repository the index never holds. */
const NEVER_INDEXED: Record<string, string> = {
  ".env": "TOKEN=FORBIDDEN_env\n",
  ".git/config": "[core]\n\tsecret = FORBIDDEN_git\n",
  ".gitignore": "ignored.py\nignored_dir/\n",
  "ignored.py": "X = 'FORBIDDEN_ignored'\n",
  "ignored_dir/inner.py": "X = 'FORBIDDEN_ignored_dir'\n",
  "notes.txt": "FORBIDDEN_notes\n",
  "setup.cfg": "[x]\nkey = FORBIDDEN_cfg\n",
  "node_modules/pkg/index.py": "X = 'FORBIDDEN_node_modules'\n",
  "venv/lib/site.py": "X = 'FORBIDDEN_venv'\n",
  "binary.py": "\u0000\u0001FORBIDDEN_binary\n",
};

async function writeTree(root: string, files: Record<string, string>): Promise<void> {
  for (const [file, text] of Object.entries(files)) {
    await mkdir(path.dirname(path.join(root, file)), { recursive: true });
    await writeFile(path.join(root, file), text);
  }
}

async function listFiles(root: string, dir = ""): Promise<string[]> {
  const entries = await readdir(path.join(root, dir), { withFileTypes: true });
  const files = await Promise.all(entries.map((e) => (e.isDirectory() ? listFiles(root, path.posix.join(dir, e.name)) : [path.posix.join(dir, e.name)])));
  return files.flat();
}

/** Links that exist before indexing (discovery never follows them), then the swaps after it. */
async function linkBeforeIndexing(repo: string, outside: string): Promise<void> {
  await symlink(path.join(outside, "secret.py"), path.join(repo, "link_out.py"));
  await symlink(path.join(repo, "app.py"), path.join(repo, "link_in.py"));
  await symlink(path.relative(repo, path.join(outside, "secret.py")), path.join(repo, "link_rel.py"));
  await symlink(outside, path.join(repo, "link_dir"));
  await symlink("/etc/passwd", path.join(repo, "link_passwd.py"));
  await symlink("/dev/zero", path.join(repo, "link_zero.py"));
  await symlink("/nonexistent/codesearch", path.join(repo, "dangling.py"));
  await symlink(".env", path.join(repo, "link_env.py"));
}

async function mutate(repo: string, outside: string): Promise<void> {
  const replace = async (file: string, make: () => Promise<void>) => {
    await rm(path.join(repo, file));
    await make();
  };
  await replace("swap_link.py", () => symlink(path.join(outside, "secret.py"), path.join(repo, "swap_link.py")));
  await replace("swap_chain.py", () => symlink("link_out.py", path.join(repo, "swap_chain.py")));
  await replace("swap_inside.py", () => symlink(".env", path.join(repo, "swap_inside.py")));
  await replace("swap_fifo.py", async () => void execFileSync("mkfifo", [path.join(repo, "swap_fifo.py")]));
  await writeFile(path.join(repo, "swap_big.py"), `def swap_big():\n    return 'FORBIDDEN_swap_big'\n${"# pad\n".repeat(200_000)}`);
  await rename(path.join(repo, "swapdir"), path.join(repo, "swapdir_real"));
  await symlink(outside, path.join(repo, "swapdir"));
}

/** Spellings of a repository-relative path that an agent (or an attacker) might send. */
function spellings(file: string, repo: string): string[] {
  const base = path.posix.basename(file);
  return [
    file,
    `./${file}`,
    `pkg/../${file}`,
    file.replaceAll("/", "//"),
    file.replaceAll("/", "\\"),
    `${file}/`,
    `${file}/.`,
    `./././${file}`,
    `pkg/sub/../../${file}`,
    `../${path.basename(repo)}/${file}`,
    path.join(repo, file),
    `/${file}`,
    `x/../../${base}`,
    `${file}\u0000`,
    file.toUpperCase(),
  ];
}

describe("MCP read: seeded adversarial probes", () => {
  it(`serves 0 files outside the index in ${PROBES} probes (seed ${SEED})`, { timeout: 300_000 }, async () => {
    const repo = await makeTempDir();
    const outside = await makeTempDir();
    await writeTree(outside, { "secret.py": "def secret():\n    return 'FORBIDDEN_outside'\n", "mod.py": "def swapdir_mod():\n    return 'FORBIDDEN_outside_mod'\n" });
    await writeTree(repo, { ...SERVABLE, ...SWAPPED, ...NEVER_INDEXED });
    await writeFile(path.join(repo, "venv", "pyvenv.cfg"), "home = /usr\n");
    await linkBeforeIndexing(repo, outside);
    const indexed = await runCli(["index", ".", "--model", TEST_MODEL_DIR], { cwd: repo });
    expect(indexed.code, indexed.stderr).toBe(0);
    await mutate(repo, outside);
    const indexFiles = (await listFiles(path.join(repo, ".codesearch"))).map((f) => `.codesearch/${f}`);

    const forbidden = [
      ...Object.keys(SWAPPED),
      ...Object.keys(NEVER_INDEXED),
      ...indexFiles,
      ...["link_out.py", "link_in.py", "link_rel.py", "link_dir/secret.py", "link_dir/mod.py", "link_passwd.py", "link_zero.py", "dangling.py", "link_env.py"],
      path.relative(repo, path.join(outside, "secret.py")),
      path.join(outside, "secret.py"),
      "/etc/passwd",
      "/dev/zero",
      "/proc/self/environ",
    ];
    const random = seededRandom(SEED);
    const pick = <T>(items: readonly T[]): T => items[Math.floor(random() * items.length)]!;
    const probes = Array.from({ length: PROBES }, (): Record<string, unknown> => {
      const target = random() < 0.15 ? pick(Object.keys(SERVABLE)) : pick(forbidden);
      const file = pick(spellings(target, repo));
      const shape = random();
      if (shape < 0.25) return { id: `${file}:1:${path.posix.basename(target, ".py")}` };
      if (shape < 0.5) return { file, line: 1 + Math.floor(random() * 4) };
      if (shape < 0.6) return { file, max_lines: 1 + Math.floor(random() * 5) };
      return { file };
    });

    const { client } = await connectMcp([], { cwd: repo });
    const counts = { probes: 0, refused: 0, served: 0, servedOutsideIndex: 0, internalErrors: 0 };
    const reasons = /not a file the index holds|outside the indexed repository|symbolic link|not a regular file|over read's limit|cannot read|is not an entity id|holds no entity|past the end of the file/;
    for (let i = 0; i < probes.length; i += PARALLEL) {
      const batch = probes.slice(i, i + PARALLEL);
      const answers = (await Promise.all(batch.map((args) => client.callTool({ name: "read", arguments: args })))) as ToolAnswer[];
      for (const [j, answer] of answers.entries()) {
        const args = batch[j]!;
        const text = answer.content[0]!.text;
        counts.probes++;
        if (/internal error|validation error/i.test(text)) counts.internalErrors++;
        if (answer.isError) {
          counts.refused++;
          expect(text, JSON.stringify(args)).toMatch(reasons);
          expect(text.split("\n")).toHaveLength(1);
        } else {
          counts.served++;
          const shown = answer.structuredContent as { file: string; start_line: number; text: string };
          const source = SERVABLE[shown.file];
          if (source === undefined || (await readFile(path.join(repo, shown.file), "utf8")) !== source) counts.servedOutsideIndex++;
          else {
            const lines = source.split("\n");
            for (const [k, line] of shown.text.split("\n").entries()) expect(line.replace(/^\s*\d+ {2}/, "")).toBe(lines[shown.start_line - 1 + k]);
          }
        }
        if (/FORBIDDEN|root:/.test(text + JSON.stringify(answer.structuredContent ?? null))) counts.servedOutsideIndex++;
      }
    }
    console.log(`read probes (seed ${SEED}): ${JSON.stringify(counts)}`);
    expect(counts.servedOutsideIndex).toBe(0);
    expect(counts.internalErrors).toBe(0);
    expect(counts.served).toBeGreaterThan(0);
    expect(counts.refused).toBeGreaterThan(PROBES / 2);

    // The server still answers: no probe held a file thread.
    const search = (await client.callTool({ name: "search", arguments: { query: "handler", mode: "lexical" } })) as ToolAnswer;
    expect((search.structuredContent as SearchToolResult).results.map((h) => h.qualname)).toContain("handler");
  });
});
