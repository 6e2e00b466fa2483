import { spawn, type ChildProcessWithoutNullStreams } from "node:child_process";
import { existsSync } from "node:fs";
import { open, readdir, readFile, writeFile } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import { pathToFileURL } from "node:url";
import { afterEach, beforeAll, describe, expect, it, vi } from "vitest";
import { IndexLockedError, InterruptedError, StoreError } from "../../src/model/errors.js";
import { LOCK_FILE, acquireIndexLock, readLockHolder, type LockHolder } from "../../src/store/index-lock.js";
import { PROJECT_ROOT, makeTempDir } from "../support/temp-dirs.js";

async function readLockFile(dir: string): Promise<LockHolder> {
  return JSON.parse(await readFile(path.join(dir, LOCK_FILE), "utf8")) as LockHolder;
}

/** The pid of a process that has exited (a `node -e ""` run to completion). */
async function deadPid(): Promise<number> {
  const child = spawn(process.execPath, ["-e", ""], { stdio: "ignore" });
  const pid = child.pid!;
  await new Promise<void>((resolve, reject) => {
    child.once("error", reject);
    child.once("exit", () => resolve());
  });
  return pid;
}

/** The error `promise` rejects with; fails when it resolves. */
async function rejectionOf(promise: Promise<unknown>): Promise<unknown> {
  try {
    await promise;
  } catch (error) {
    return error;
  }
  throw new Error("expected the promise to reject");
}

describe("acquireIndexLock", () => {
  it("writes index.lock with this process's pid, host and start time, and leaves no other file", async () => {
    const dir = await makeTempDir();
    const before = Date.now();
    const lock = await acquireIndexLock(dir);
    const after = Date.now();
    const holder = await readLockFile(dir);
    expect(holder.pid).toBe(process.pid);
    expect(holder.hostname).toBe(os.hostname());
    expect(new Date(holder.startedAt).toISOString()).toBe(holder.startedAt);
    expect(Date.parse(holder.startedAt)).toBeGreaterThanOrEqual(before);
    expect(Date.parse(holder.startedAt)).toBeLessThanOrEqual(after);
    expect(await readdir(dir)).toEqual([LOCK_FILE]);
    await lock.release();
  });

  it("a second acquire while the lock is held (even in this process) throws IndexLockedError naming the holder and what to do", async () => {
    const dir = await makeTempDir();
    const lock = await acquireIndexLock(dir);
    const held = await readFile(path.join(dir, LOCK_FILE), "utf8");
    const error = await rejectionOf(acquireIndexLock(dir));
    expect(error).toBeInstanceOf(IndexLockedError);
    expect(error).toMatchObject({ exitCode: 7, code: "index-locked" });
    expect((error as Error).message).toContain(`another codesearch index run (pid ${process.pid}`);
    expect((error as Error).message).toContain("pass --wait to run after it, or stop that process");
    expect(await readFile(path.join(dir, LOCK_FILE), "utf8")).toBe(held);
    expect(await readdir(dir)).toEqual([LOCK_FILE]);
    await lock.release();
  });

  it("release empties the lock file (the file stays), after which the lock can be taken again", async () => {
    const dir = await makeTempDir();
    const first = await acquireIndexLock(dir);
    await first.release();
    await first.release();
    expect(await readFile(path.join(dir, LOCK_FILE), "utf8")).toBe("");
    const second = await acquireIndexLock(dir);
    expect((await readLockFile(dir)).pid).toBe(process.pid);
    await second.release();
    expect(await readdir(dir)).toEqual([LOCK_FILE]);
  });

  // No process holds the OS lock, whatever the file says: each is taken over at once, without waiting.
  it.each([
    ["a pid of this host that no longer runs", async () => JSON.stringify({ pid: await deadPid(), hostname: os.hostname(), startedAt: "2020-01-01T00:00:00.000Z" })],
    ["a live unrelated pid (pid 1)", () => Promise.resolve(JSON.stringify({ pid: 1, hostname: os.hostname(), startedAt: "2020-01-01T00:00:00.000Z" }))],
    ["another host", () => Promise.resolve(JSON.stringify({ pid: 1, hostname: `${os.hostname()}-elsewhere`, startedAt: "2020-01-01T00:00:00.000Z" }))],
    ["garbage", () => Promise.resolve("\u0000 not json")],
    ["an empty file", () => Promise.resolve("")],
    ["JSON without a pid", () => Promise.resolve(JSON.stringify({ hostname: os.hostname(), startedAt: "2020-01-01T00:00:00.000Z" }))],
    ["JSON null", () => Promise.resolve("null")],
  ])("takes over at once a lock file left naming %s", async (_label, contents) => {
    const dir = await makeTempDir();
    await writeFile(path.join(dir, LOCK_FILE), await contents());
    expect(await readLockHolder(dir)).toBeNull();
    const onWait = vi.fn();
    const lock = await acquireIndexLock(dir, { wait: true, onWait });
    expect(onWait).not.toHaveBeenCalled();
    expect((await readLockFile(dir)).pid).toBe(process.pid);
    expect(await readdir(dir)).toEqual([LOCK_FILE]);
    await lock.release();
  });

  it("says which host holds a lock taken on another host (a shared folder), and what to do", async () => {
    const dir = await makeTempDir();
    const lock = await acquireIndexLock(dir);
    // The holder's record, as a run on another host sharing this folder would have written it.
    const handle = await open(path.join(dir, LOCK_FILE), "r+");
    await handle.truncate(0);
    await handle.write(JSON.stringify({ pid: 4242, hostname: "build-box", startedAt: "2026-01-01T00:00:00.000Z" }), 0);
    await handle.close();
    const error = await rejectionOf(acquireIndexLock(dir));
    expect(error).toBeInstanceOf(IndexLockedError);
    expect((error as Error).message).toContain("(pid 4242 on host build-box, started 2026-01-01T00:00:00.000Z)");
    expect((error as Error).message).toContain("stop that process");
    await lock.release();
  });

  it("with wait, calls onWait once with the holder and acquires after the holder releases", async () => {
    const dir = await makeTempDir();
    const first = await acquireIndexLock(dir);
    const holder = await readLockFile(dir);
    let released = false;
    const onWait = vi.fn(() => {
      setTimeout(() => {
        void first.release().then(() => {
          released = true;
        });
      }, 50);
    });
    const second = await acquireIndexLock(dir, { wait: true, pollMs: 5, onWait });
    expect(released).toBe(true);
    expect(onWait).toHaveBeenCalledTimes(1);
    expect(onWait).toHaveBeenCalledWith(holder);
    expect((await readLockFile(dir)).pid).toBe(process.pid);
    expect(await readdir(dir)).toEqual([LOCK_FILE]);
    await second.release();
  });

  it("an abort while waiting throws InterruptedError and leaves the holder's lock alone", async () => {
    const dir = await makeTempDir();
    const first = await acquireIndexLock(dir);
    const held = await readFile(path.join(dir, LOCK_FILE), "utf8");
    const controller = new AbortController();
    const onWait = vi.fn(() => setTimeout(() => controller.abort(), 20));
    const error = await rejectionOf(acquireIndexLock(dir, { wait: true, pollMs: 5, onWait, signal: controller.signal }));
    expect(error).toBeInstanceOf(InterruptedError);
    expect(error).toMatchObject({ exitCode: 130, code: "interrupted" });
    expect(onWait).toHaveBeenCalledTimes(1);
    expect(await readFile(path.join(dir, LOCK_FILE), "utf8")).toBe(held);
    expect(await readLockHolder(dir)).toEqual(JSON.parse(held));
    await first.release();
  });

  it("a signal aborted before waiting starts throws InterruptedError at the first wait", async () => {
    const dir = await makeTempDir();
    const first = await acquireIndexLock(dir);
    const controller = new AbortController();
    controller.abort();
    await expect(acquireIndexLock(dir, { wait: true, pollMs: 5, signal: controller.signal })).rejects.toBeInstanceOf(InterruptedError);
    await first.release();
  });

  it("an aborted signal does not stop taking a free lock", async () => {
    const dir = await makeTempDir();
    const controller = new AbortController();
    controller.abort();
    const lock = await acquireIndexLock(dir, { wait: true, signal: controller.signal });
    expect((await readLockFile(dir)).pid).toBe(process.pid);
    await lock.release();
  });

  it("throws StoreError when the index folder does not exist", async () => {
    const dir = await makeTempDir();
    await expect(acquireIndexLock(path.join(dir, "missing"))).rejects.toBeInstanceOf(StoreError);
  });
});

describe("readLockHolder", () => {
  it("returns null without a lock file, the holder while held, and null after release", async () => {
    const dir = await makeTempDir();
    expect(await readLockHolder(dir)).toBeNull();
    expect(await readLockHolder(path.join(dir, "missing"))).toBeNull();
    const lock = await acquireIndexLock(dir);
    expect(await readLockHolder(dir)).toEqual(await readLockFile(dir));
    expect((await readLockHolder(dir))!.pid).toBe(process.pid);
    // Reading never changes the file, nor disturbs the holder.
    expect(await readLockHolder(dir)).toEqual(await readLockFile(dir));
    await lock.release();
    expect(await readLockHolder(dir)).toBeNull();
  });
});

describe("two processes contending for the lock", () => {
  const builtLock = path.join(PROJECT_ROOT, "dist", "store", "index-lock.js");
  let child: ChildProcessWithoutNullStreams | undefined;

  beforeAll(() => {
    if (!existsSync(builtLock)) throw new Error(`${builtLock} is missing: run \`npm run build\` before these tests`);
  });

  afterEach(() => {
    if (child && child.exitCode === null && child.signalCode === null) child.kill("SIGKILL");
    child = undefined;
  });

  /**
   * Starts a node process that takes the lock of `dir`, prints "locked", releases it when a line
   * arrives on stdin, prints "released" and exits.
   */
  function startHolder(dir: string): { proc: ChildProcessWithoutNullStreams; lines: string[]; waitFor: (line: string) => Promise<void> } {
    const script = [
      `import { createInterface } from "node:readline";`,
      `import { acquireIndexLock } from ${JSON.stringify(pathToFileURL(builtLock).href)};`,
      `const lock = await acquireIndexLock(process.env.LOCK_DIR);`,
      `process.stdout.write("locked\\n");`,
      `const input = createInterface({ input: process.stdin });`,
      `input.once("line", async () => {`,
      `  await lock.release();`,
      `  process.stdout.write("released\\n");`,
      `  input.close();`,
      `});`,
    ].join("\n");
    const proc = spawn(process.execPath, ["--input-type=module", "-e", script], { env: { ...process.env, LOCK_DIR: dir }, stdio: "pipe" });
    child = proc;
    const lines: string[] = [];
    let stdout = "";
    let stderr = "";
    const listeners = new Set<() => void>();
    proc.stdout.setEncoding("utf8");
    proc.stderr.setEncoding("utf8");
    proc.stdout.on("data", (data: string) => {
      stdout += data;
      const parts = stdout.split("\n");
      stdout = parts.pop()!;
      lines.push(...parts);
      for (const listener of listeners) listener();
    });
    proc.stderr.on("data", (data: string) => {
      stderr += data;
    });
    proc.on("exit", () => {
      for (const listener of listeners) listener();
    });
    const waitFor = (line: string) =>
      new Promise<void>((resolve, reject) => {
        const check = () => {
          if (lines.includes(line)) {
            listeners.delete(check);
            resolve();
          } else if (proc.exitCode !== null || proc.signalCode !== null) {
            listeners.delete(check);
            reject(new Error(`holder exited (${proc.exitCode ?? proc.signalCode}) before printing "${line}"; stderr: ${stderr}`));
          }
        };
        listeners.add(check);
        check();
      });
    return { proc, lines, waitFor };
  }

  async function exitCodeOf(proc: ChildProcessWithoutNullStreams): Promise<number | null> {
    if (proc.exitCode !== null || proc.signalCode !== null) return proc.exitCode;
    return new Promise((resolve) => proc.once("exit", (code) => resolve(code)));
  }

  it("while another process holds the lock, acquiring fails; after it releases, acquiring succeeds", async () => {
    const dir = await makeTempDir();
    const holder = startHolder(dir);
    await holder.waitFor("locked");
    expect((await readLockFile(dir)).pid).toBe(holder.proc.pid);
    expect((await readLockHolder(dir))!.pid).toBe(holder.proc.pid);

    const error = await rejectionOf(acquireIndexLock(dir));
    expect(error).toBeInstanceOf(IndexLockedError);
    expect((error as Error).message).toContain(`pid ${holder.proc.pid}`);

    holder.proc.stdin.write("release\n");
    await holder.waitFor("released");
    expect(await exitCodeOf(holder.proc)).toBe(0);
    expect(await readFile(path.join(dir, LOCK_FILE), "utf8")).toBe("");

    const lock = await acquireIndexLock(dir);
    expect((await readLockFile(dir)).pid).toBe(process.pid);
    await lock.release();
  });

  it("with wait, acquiring resolves only after the other process released", async () => {
    const dir = await makeTempDir();
    const holder = startHolder(dir);
    await holder.waitFor("locked");

    let toldToRelease = false;
    let acquiredAfterRelease: boolean | undefined;
    let waitingHolder: LockHolder | undefined;
    let acquiring: Promise<{ release(): Promise<void> }> | undefined;
    const waitStarted = new Promise<void>((resolve) => {
      const waiting = acquireIndexLock(dir, {
        wait: true,
        pollMs: 10,
        onWait: (h) => {
          waitingHolder = h;
          resolve();
        },
      });
      acquiring = waiting.then((lock) => {
        acquiredAfterRelease = toldToRelease;
        return lock;
      });
    });
    await waitStarted;
    expect(waitingHolder!.pid).toBe(holder.proc.pid);

    // Several polls pass while the other process still holds the lock.
    await sleep(100);
    expect(acquiredAfterRelease).toBeUndefined();
    expect(holder.lines).toEqual(["locked"]);
    expect((await readLockFile(dir)).pid).toBe(holder.proc.pid);

    toldToRelease = true;
    holder.proc.stdin.write("release\n");
    const lock = await acquiring!;
    expect(acquiredAfterRelease).toBe(true);

    // The holder's own release ran before ours was taken: had we taken the lock while it was held,
    // the holder's release would have emptied our record.
    await holder.waitFor("released");
    expect(await exitCodeOf(holder.proc)).toBe(0);
    expect(holder.lines).toEqual(["locked", "released"]);
    expect((await readLockFile(dir)).pid).toBe(process.pid);
    expect(await readdir(dir)).toEqual([LOCK_FILE]);
    await lock.release();
  });

  it("a holder killed with SIGKILL gives the lock back at once: no stale lock, no waiting, no clean-up", async () => {
    const dir = await makeTempDir();
    const holder = startHolder(dir);
    await holder.waitFor("locked");
    expect(await rejectionOf(acquireIndexLock(dir))).toBeInstanceOf(IndexLockedError);
    holder.proc.kill("SIGKILL");
    await new Promise((resolve) => holder.proc.once("exit", resolve));
    // The killed holder's record is still in the file, but no process holds the lock.
    expect((await readLockFile(dir)).pid).toBe(holder.proc.pid);
    expect(await readLockHolder(dir)).toBeNull();
    const onWait = vi.fn();
    const lock = await acquireIndexLock(dir, { wait: true, onWait });
    expect(onWait).not.toHaveBeenCalled();
    expect((await readLockFile(dir)).pid).toBe(process.pid);
    await lock.release();
  });
});
