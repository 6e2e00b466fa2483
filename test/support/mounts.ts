// Real file-system faults for tests that can mount (root on Linux): a small tmpfs for ENOSPC, a
// read-only bind mount for EROFS. Tests that need one skip with the reason when mounting is not allowed.
import { execFileSync } from "node:child_process";
import { makeTempDir } from "./temp-dirs.js";

/** Null when this process may mount (probed once with a 64 KB tmpfs), else why it may not. */
export async function mountUnavailable(): Promise<string | null> {
  if (process.platform !== "linux" || process.getuid?.() !== 0) return "needs root on Linux to mount";
  const probe = await makeTempDir("codesearch-mount-probe-");
  try {
    execFileSync("mount", ["-t", "tmpfs", "-o", "size=64k", "tmpfs", probe], { stdio: "ignore" });
    execFileSync("umount", [probe], { stdio: "ignore" });
    return null;
  } catch {
    return "`mount` is not permitted here";
  }
}

/** Mounts a tmpfs of `size` (e.g. `256k`) on `dir`. */
export function mountTmpfs(dir: string, size: string): void {
  execFileSync("mount", ["-t", "tmpfs", "-o", `size=${size}`, "tmpfs", dir]);
}

/** Makes `dir` read-only in place (a read-only bind mount of itself). */
export function mountReadOnly(dir: string): void {
  execFileSync("mount", ["--bind", dir, dir]);
  execFileSync("mount", ["-o", "remount,ro,bind", dir]);
}

/** Unmounts `dir`. */
export function unmount(dir: string): void {
  execFileSync("umount", [dir]);
}
