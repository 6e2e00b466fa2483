// `search --mode lexical` (and hybrid with vector weight 0) never loads the model: proven by deleting the model after indexing.
import { cp, rm, writeFile } from "node:fs/promises";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { runCli } from "../support/run-cli.js";
import { TEST_MODEL_DIR, makeTempDir } from "../support/temp-dirs.js";

describe("search loads the model only when the query needs a vector", () => {
  it("answers --mode lexical and weight-0 hybrid with the index's model gone, and fails a vector side with the model-load exit code", async () => {
    const repo = await makeTempDir();
    const model = path.join(await makeTempDir(), "model");
    await cp(TEST_MODEL_DIR, model, { recursive: true });
    await writeFile(path.join(repo, "mail.py"), 'def send_welcome_email(user):\n    """Send the welcome email."""\n    return user\n');
    expect((await runCli(["index", "--model", model], { cwd: repo })).code).toBe(0);
    await rm(model, { recursive: true });

    const lexical = await runCli(["search", "welcome email", "--mode", "lexical", "--json"], { cwd: repo });
    expect(lexical.code, lexical.stderr).toBe(0);
    expect(JSON.parse(lexical.stdout)).toMatchObject({ mode: "lexical", results: [{ qualname: "send_welcome_email", start_line: 1 }] });

    // Too few docstrings to calibrate: hybrid mode's vector weight is 0, so it needs no model either.
    const hybrid = await runCli(["search", "welcome email", "--offline", "--json"], { cwd: repo });
    expect(hybrid.code, hybrid.stderr).toBe(0);
    expect(JSON.parse(hybrid.stdout)).toMatchObject({ mode: "hybrid", results: [{ qualname: "send_welcome_email" }] });

    const withVectors = await runCli(["search", "welcome email", "--offline", "--vector-weight", "1"], { cwd: repo });
    expect(withVectors.code).toBe(4);
  });
});
