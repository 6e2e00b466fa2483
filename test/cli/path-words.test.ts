// Issue 18: path words support an entity, they do not outrank the one whose name answers the
// question. On Django, "send an email to the site admins" ranked the admin site's classes first
// (their path, contrib/admin/sites.py, holds "site" and "admins" again, weighed 2.15) and
// `AdminEmailHandler` 13th, `mail_admins` 17th. fixtures/python-admin-mail has that shape; the
// query must rank `mail_admins` above every entity of the admin site's files and `AdminEmailHandler`
// in the top five, with DEFAULT_RANKER (the test model ships no ranker) and with codesearch-small's
// ranker. Before the fix both failed: the first six hits were the admin site's.
import { mkdtemp, rm } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { SearchHitJson } from "../../src/model/search-result.js";
import { runCli } from "../support/run-cli.js";
import { PROJECT_ROOT, TEST_MODEL_DIR, copyCommittedTree } from "../support/temp-dirs.js";

let repo: string;

beforeAll(async () => {
  repo = await mkdtemp(path.join(os.tmpdir(), "codesearch-path-words-"));
  await copyCommittedTree(path.join(PROJECT_ROOT, "fixtures", "python-admin-mail"), repo);
  const index = await runCli(["index", "--model", TEST_MODEL_DIR], { cwd: repo });
  expect(index.code).toBe(0);
});

afterAll(async () => {
  await rm(repo, { recursive: true, force: true });
});

const ADMIN_SITE_FILES = ["webframe/contrib/admin/sites.py", "webframe/contrib/sites/admin.py"];

describe.each([
  ["DEFAULT_RANKER (a model without a ranker file)", []],
  ["codesearch-small's ranker.json", ["--ranker", path.join(PROJECT_ROOT, "models", "codesearch-small", "ranker.json")]],
])("%s", (_name, rankerArgs) => {
  it("ranks mail_admins and AdminEmailHandler above the admin site for `send an email to the site admins`", async () => {
    const result = await runCli(["search", "send an email to the site admins", "--mode", "lexical", "--json", "-n", "20", ...rankerArgs], { cwd: repo });
    expect(result.stderr).toBe("");
    expect(result.code).toBe(0);
    const hits = (JSON.parse(result.stdout) as { results: SearchHitJson[] }).results;
    const place = (qualname: string) => hits.findIndex((hit) => hit.qualname === qualname);
    const firstAdminSite = hits.findIndex((hit) => ADMIN_SITE_FILES.includes(hit.file));
    expect(firstAdminSite).toBeGreaterThanOrEqual(0);
    // The function that mails the admins beats every entity of the admin site's files (before: the
    // first six hits were AdminSite, SiteAdmin, DefaultAdminSite and AdminSite's methods)…
    expect(place("mail_admins")).toBeGreaterThanOrEqual(0);
    expect(place("mail_admins")).toBeLessThan(firstAdminSite);
    // …and the log handler that emails them is in the top five. (A weak match of the admin site's
    // file may still sit between them: its path words are discounted by its place in the file, not dropped.)
    expect(place("AdminEmailHandler")).toBeGreaterThanOrEqual(0);
    expect(place("AdminEmailHandler")).toBeLessThan(5);
  });
});
