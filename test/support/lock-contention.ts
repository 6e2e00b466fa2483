// N real processes contend for one index lock (the built dist/store/index-lock.js) while this
// process SIGKILLs them at random and probes the lock as `status` does; every critical section is
// timed on the machine-wide monotonic clock, so overlaps are found afterwards, whatever order the
// messages arrived in.
import { spawn, type ChildProcess } from "node:child_process";
import { existsSync } from "node:fs";
import path from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import { pathToFileURL } from "node:url";
import { readLockHolder } from "../../src/store/index-lock.js";
import { seededRandom } from "./seeded-random.js";
import { PROJECT_ROOT } from "./temp-dirs.js";

/** Settings of one contention trial. */
export interface ContentionOptions {
  /** Folder holding the lock. */
  dir: string;
  /** Processes contending at any time (a killed one is replaced at once). */
  workers: number;
  /** Stop once this many critical sections were entered. */
  sections: number;
  /** Mean time between SIGKILLs of a random worker, ms. */
  killEveryMs: number;
  /** Longest time a worker stays in its critical section, ms (uniform from 0). */
  holdMs?: number;
  /** Seed of the kill schedule. */
  seed?: number;
  /** Gives up after this long, ms (the trial then fails on its count). */
  deadlineMs?: number;
  /** The lock module the workers import (default: the built dist/store/index-lock.js). */
  lockModule?: string;
}

/** What a trial saw. */
export interface ContentionResult {
  /** Critical sections entered (each reported by its worker as it entered). */
  sections: number;
  /** Sections whose time span intersects another's: two holders at once. */
  overlaps: number;
  /** SIGKILLs sent during the trial (not counting the final clean-up). */
  kills: number;
  /** Of those, how many hit a worker inside its critical section (holding the lock). */
  killsInSection: number;
  /** `readLockHolder` probes made meanwhile (a momentary shared lock each). */
  probes: number;
  /** Workers that ended other than by our SIGKILL, with their stderr. */
  crashes: string[];
}

const WORKER_SCRIPT = (lockModule: string) => `
import { acquireIndexLock } from ${JSON.stringify(lockModule)};
import { setTimeout as sleep } from "node:timers/promises";
const dir = process.env.LOCK_DIR;
const holdMs = Number(process.env.HOLD_MS);
let seq = 0;
for (;;) {
  const lock = await acquireIndexLock(dir, { wait: true, pollMs: 1 });
  const n = seq++;
  process.send({ t: "enter", n, at: process.hrtime.bigint().toString() });
  const hold = Math.random() * holdMs;
  if (hold >= 1) await sleep(hold);
  process.send({ t: "leave", n, at: process.hrtime.bigint().toString() });
  await lock.release();
}
`;

interface Section {
  worker: number;
  start: bigint;
  end: bigint | null;
}

/**
 * Runs one trial: `workers` node processes loop acquire → report enter → hold → report leave →
 * release, with `wait` and a 1 ms poll; every ~`killEveryMs` a random worker (half the time the
 * one in its critical section, if any) gets SIGKILL and a new one starts. A section of a killed worker ends when the kill was sent (it can do nothing after).
 * Overlaps count pairs of sections whose spans intersect.
 * @throws Error when dist/ is not built.
 */
export async function runLockContention(options: ContentionOptions): Promise<ContentionResult> {
  const lockModule = options.lockModule ?? path.join(PROJECT_ROOT, "dist", "store", "index-lock.js");
  if (!existsSync(lockModule)) throw new Error(`${lockModule} is missing: run \`npm run build\` first`);
  const script = WORKER_SCRIPT(pathToFileURL(lockModule).href);
  const random = seededRandom(options.seed ?? 20261207);
  const sections: Section[] = [];
  const open = new Map<number, Map<number, Section>>();
  const live = new Map<number, ChildProcess>();
  const children = new Map<number, ChildProcess>();
  /** Worker → when its SIGKILL was sent (hrtime ns). */
  const killed = new Map<number, bigint>();
  const crashes: string[] = [];
  let kills = 0;
  let killsInSection = 0;
  let probes = 0;
  let nextId = 0;

  const start = (): void => {
    const id = nextId++;
    const child = spawn(process.execPath, ["--input-type=module", "-e", script], {
      env: { ...process.env, LOCK_DIR: options.dir, HOLD_MS: String(options.holdMs ?? 2) },
      stdio: ["ignore", "ignore", "pipe", "ipc"],
    });
    let stderr = "";
    child.stderr!.on("data", (d: Buffer) => (stderr += d.toString()));
    const mine = new Map<number, Section>();
    open.set(id, mine);
    child.on("message", (message: { t: string; n: number; at: string }) => {
      if (message.t === "enter") {
        // An enter that reaches us after the worker's kill ends when the kill was sent.
        const section: Section = { worker: id, start: BigInt(message.at), end: killed.get(id) ?? null };
        sections.push(section);
        mine.set(message.n, section);
      } else {
        const section = mine.get(message.n);
        if (section) section.end = BigInt(message.at);
        mine.delete(message.n);
      }
    });
    // "close": after the last message and the end of stderr.
    child.on("close", (code, signal) => {
      live.delete(id);
      if (!killed.has(id)) crashes.push(`worker ${id} exited ${code ?? signal}: ${stderr}`);
    });
    live.set(id, child);
    children.set(id, child);
  };

  /** SIGKILLs worker `id`; its open section ends now (it runs no code after the signal is sent). Returns whether it was in one. */
  const kill = (id: number): boolean => {
    live.get(id)!.kill("SIGKILL");
    live.delete(id);
    const at = process.hrtime.bigint();
    killed.set(id, at);
    for (const section of open.get(id)!.values()) section.end ??= at;
    return open.get(id)!.size > 0;
  };

  for (let i = 0; i < options.workers; i++) start();
  const deadline = Date.now() + (options.deadlineMs ?? 600_000);
  let nextKillAt = Date.now() + random() * 2 * options.killEveryMs;
  while (sections.length < options.sections && Date.now() < deadline && crashes.length === 0) {
    await sleep(5);
    const holder = await readLockHolder(options.dir);
    probes++;
    if (Date.now() >= nextKillAt && live.size > 0) {
      // Half the kills go to the holder the lock names (or one in its section), so takeovers of a dead holder's lock are frequent.
      const holders = [...live.keys()].filter((id) => open.get(id)!.size > 0 || live.get(id)!.pid === holder?.pid);
      const ids = holders.length > 0 && random() < 0.5 ? holders : [...live.keys()];
      if (kill(ids[Math.floor(random() * ids.length)]!)) killsInSection++;
      kills++;
      start();
      nextKillAt = Date.now() + random() * 2 * options.killEveryMs;
    }
  }
  const all = [...children.values()].filter((child) => child.exitCode === null && child.signalCode === null);
  const ending = all.map((child) => new Promise((resolve) => child.once("close", resolve)));
  for (const id of [...live.keys()]) kill(id);
  await Promise.all(ending);
  return { sections: sections.length, overlaps: countOverlaps(sections), kills, killsInSection, probes, crashes };
}

/** Pairs of sections whose [start, end] spans intersect; an open section (no end) runs to the end of time. */
function countOverlaps(sections: Section[]): number {
  const sorted = [...sections].sort((a, b) => (a.start < b.start ? -1 : a.start > b.start ? 1 : 0));
  let overlaps = 0;
  let latestEnd: bigint | null = null;
  let first = true;
  for (const section of sorted) {
    if (!first && (latestEnd === null || section.start <= latestEnd)) overlaps++;
    const end = section.end;
    latestEnd = first ? end : latestEnd === null || end === null ? null : end > latestEnd ? end : latestEnd;
    first = false;
  }
  return overlaps;
}
