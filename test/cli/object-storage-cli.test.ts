import { existsSync } from "node:fs";
import { readdir } from "node:fs/promises";
import path from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { EMBEDDING_CACHE_DIR } from "../../src/embed/embedding-cache.js";
import { indexPathsOf, isRemoteLocation, resolveIndexLocation } from "../../src/store/index-location.js";
import { runCli } from "../support/run-cli.js";
import { type S3Server, startS3Server } from "../support/s3-server.js";
import { TEST_MODEL_DIR, copyPythonFixtures, makeTempDir } from "../support/temp-dirs.js";

let s3: S3Server | undefined;
afterEach(async () => {
  await s3?.close();
  s3 = undefined;
});

type Finished = { type: string; summary: { chunksStored: number; chunksEmbedded: number; filesUnchanged: number; indexDir: string } };
const lastEvent = (stdout: string) => JSON.parse(stdout.trim().split("\n").at(-1)!) as Finished;

describe("--db s3://… against a local S3-compatible server (s3rver on 127.0.0.1)", () => {
  it("indexes into the bucket with cache, catalog and lock kept local, and search finds the index by its URI", async () => {
    s3 = await startS3Server();
    const repo = await copyPythonFixtures();
    const cacheDir = await makeTempDir();
    const uri = `s3://${s3.bucket}/indexes/shop`;
    const index = await runCli(["index", "--model", TEST_MODEL_DIR, "--db", uri, "--cache-dir", cacheDir, "--json"], { cwd: repo, env: s3.env });
    expect(index.stderr).toBe("");
    expect(index.code).toBe(0);
    expect(lastEvent(index.stdout).summary.indexDir).toBe(uri);
    expect(existsSync(path.join(repo, ".codesearch"))).toBe(false);
    expect(await readdir(cacheDir)).toEqual(expect.arrayContaining([EMBEDDING_CACHE_DIR, "catalog.json"]));
    const stored = await readdir(path.join(s3.dir, s3.bucket, "indexes", "shop"));
    expect(stored).toEqual(expect.arrayContaining(["entities.lance", "manifest.lance"]));
    expect(stored.some((name) => name.startsWith("catalog") || name.startsWith("embedding-cache"))).toBe(false);

    const search = await runCli(["search", "retry a request when the connection resets", "--db", uri, "--json", "-n", "2"], { cwd: repo, env: s3.env });
    expect(search.stderr).toBe("");
    expect((JSON.parse(search.stdout) as { results: { qualname: string }[] }).results.map((r) => r.qualname)[0]).toBe("retry_request");

    // Without --cache-dir the local state goes to a per-user folder; a machine without it rebuilds, then runs are incremental.
    const xdg = await makeTempDir();
    const env = { ...s3.env, XDG_CACHE_HOME: xdg };
    const first = await runCli(["index", "--db", uri, "--json"], { cwd: repo, env });
    expect(first.stderr).toBe("");
    expect(first.code).toBe(0);
    expect(lastEvent(first.stdout).summary.chunksStored).toBe(lastEvent(index.stdout).summary.chunksStored);
    expect(existsSync(path.join(indexPathsOf(uri, undefined, env).cacheDir, EMBEDDING_CACHE_DIR))).toBe(true);
    const again = await runCli(["index", "--db", uri, "--json"], { cwd: repo, env });
    expect(lastEvent(again.stdout).summary).toMatchObject({ chunksEmbedded: 0, chunksStored: lastEvent(index.stdout).summary.chunksStored });
    expect(lastEvent(again.stdout).summary.filesUnchanged).toBeGreaterThan(0);

    const status = await runCli(["status", "--db", uri, "--json"], { cwd: repo, env });
    expect(status.code).toBe(0);
    expect(JSON.parse(status.stdout)).toMatchObject({ indexDir: uri, entitiesIndexed: lastEvent(index.stdout).summary.chunksStored, stale: { filesAdded: 0, filesChanged: 0 } });
  });

  it("search on a prefix without an index exits 5, and an unreachable store exits 6", async () => {
    s3 = await startS3Server();
    const cwd = await makeTempDir();
    const missing = await runCli(["search", "anything", "--db", `s3://${s3.bucket}/nothing-here`], { cwd, env: s3.env });
    expect(missing.code).toBe(5);
    expect(missing.stderr).toContain(`no codesearch index in s3://${s3.bucket}/nothing-here`);
    const env = { ...s3.env };
    await s3.close();
    s3 = undefined;
    const down = await runCli(["search", "anything", "--db", "s3://codesearch/x"], { cwd, env });
    expect(down.code).toBe(6);
  });
});

describe("index locations", () => {
  it.each([
    ["s3://bucket/path/", true, "s3://bucket/path"],
    ["gs://bucket/p", true, "gs://bucket/p"],
    ["az://container/p", true, "az://container/p"],
    ["db://my-project", true, "db://my-project"],
    ["file:///srv/index", false, "/srv/index"],
    ["rel/index", false, "/work/rel/index"],
    ["/abs/.codesearch", false, "/abs/.codesearch"],
  ])("%s: remote %s, resolved %s", (location, remote, resolved) => {
    expect(isRemoteLocation(location)).toBe(remote);
    expect(resolveIndexLocation(location, "/work")).toBe(resolved);
  });

  it("keeps a folder index's state in the folder and a remote index's in one local folder", () => {
    expect(indexPathsOf("/r/.codesearch")).toEqual({ stateDir: "/r/.codesearch", cacheDir: "/r/.codesearch" });
    expect(indexPathsOf("/r/.codesearch", "/c")).toEqual({ stateDir: "/r/.codesearch", cacheDir: "/c" });
    expect(indexPathsOf("s3://b/p", "/c")).toEqual({ stateDir: "/c", cacheDir: "/c" });
    const perUser = indexPathsOf("s3://b/p", undefined, { XDG_CACHE_HOME: "/x" });
    expect(perUser.stateDir).toMatch(/^\/x\/codesearch\/indexes\/[0-9a-f]{16}$/);
    expect(indexPathsOf("s3://b/other", undefined, { XDG_CACHE_HOME: "/x" }).stateDir).not.toBe(perUser.stateDir);
  });
});
