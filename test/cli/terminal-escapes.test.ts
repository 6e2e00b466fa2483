// Issue 11, defect 3: file names, source lines and parser messages from the repository must not
// reach the terminal as control sequences, on any human output path (JSON is left as JSON).
import { readFile, writeFile } from "node:fs/promises";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { runCli } from "../support/run-cli.js";
import { TEST_MODEL_DIR, makeTempDir } from "../support/temp-dirs.js";

const TITLE_FILE = "evil\u001b]0;PWNED\u0007name.py";
const CLEAR_FILE = "clear\u001b[2Jme.py";
const PAYLOAD_LINE = "\u001b[31;43mPAYLOAD = )))";

/** Any C0 control other than tab and newline, DEL, or a C1 control. */
// eslint-disable-next-line no-control-regex
const CONTROL = /[\u0000-\u0008\u000b-\u001f\u007f-\u009f]/;

async function hostileRepo(): Promise<string> {
  const repo = await makeTempDir("codesearch-escapes-");
  await writeFile(path.join(repo, TITLE_FILE), 'def set_window_title(title):\n    """Set the terminal window title."""\n    return title\n');
  await writeFile(path.join(repo, CLEAR_FILE), 'def clear_screen():\n    """Clear the whole terminal screen."""\n    return None\n');
  await writeFile(path.join(repo, "payload.py"), `def colour_payload():\n    return 1\n\n${PAYLOAD_LINE}\n`);
  return repo;
}

describe("repository text on the terminal", () => {
  it("index --plain, status, search and its warnings print control characters as visible escapes", async () => {
    const repo = await hostileRepo();
    const index = await runCli(["index", "--plain", "--verbose", "--model", TEST_MODEL_DIR], { cwd: repo });
    expect(index.code, index.stderr).toBe(1); // payload.py has a syntax error
    expect(index.stderr).not.toMatch(CONTROL);
    expect(index.stderr).toContain("payload.py");
    expect(index.stderr).toMatch(/\\x1b\[31;43m/);

    // The files change, so status lists them and search warns about them.
    for (const name of [TITLE_FILE, CLEAR_FILE]) await writeFile(path.join(repo, name), `${await readFile(path.join(repo, name), "utf8")}# edited\n`);
    const status = await runCli(["status"], { cwd: repo });
    expect(status.code).toBe(0);
    expect(status.stdout).not.toMatch(CONTROL);
    expect(status.stdout).toContain("evil\\x1b]0;PWNED\\x07name.py");
    expect(status.stdout).toContain("clear\\x1b[2Jme.py");

    const search = await runCli(["search", "terminal window title screen", "-n", "3"], { cwd: repo });
    expect(search.code).toBe(0);
    expect(search.stdout).toContain("evil\\x1b]0;PWNED\\x07name.py");
    expect(`${search.stdout}${search.stderr}`).not.toMatch(CONTROL);
    expect(search.stderr).toContain("codesearch: warning:");
    expect(search.stderr).toContain("\\x1b");

    // JSON keeps the real names (JSON.stringify escapes control characters itself).
    const json = await runCli(["search", "terminal window title screen", "-n", "3", "--json"], { cwd: repo });
    expect(json.stdout).not.toMatch(CONTROL);
    const parsed = JSON.parse(json.stdout) as { results: { file: string }[] };
    expect(parsed.results.map((r) => r.file)).toContain(TITLE_FILE);
  });

  it("a fatal error naming a hostile path is escaped", async () => {
    const cwd = await makeTempDir("codesearch-escapes-");
    const result = await runCli(["search", "x", "--db", path.join(cwd, TITLE_FILE)], { cwd });
    expect(result.code).not.toBe(0);
    expect(result.stderr).toContain("codesearch: error:");
    expect(result.stderr).not.toMatch(CONTROL);
  });
});
