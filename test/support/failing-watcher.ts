// Watcher backends that fail on demand, for what the real inotify limits do but a test cannot
// safely provoke on a shared machine (lowering fs.inotify.max_user_watches is system-wide).
import * as parcel from "@parcel/watcher";
import type { FileChange, SubscribeFn } from "../../src/watch/watch-repo.js";

/** An errno-style error, as Node and libuv report them (`code` set). */
export function errnoError(code: string, message: string): NodeJS.ErrnoException {
  return Object.assign(new Error(message), { code });
}

/** A backend whose subscribe always rejects with `error` (e.g. the watch limit hit while subscribing). */
export function refusingSubscribe(error: Error): SubscribeFn {
  return async () => {
    throw error;
  };
}

/** The real @parcel/watcher backend, plus `fail(error)`: report `error` to every live subscriber, as the backend does when a watch breaks later. */
export function breakableSubscribe(): { subscribe: SubscribeFn; fail(error: Error): void } {
  const live = new Set<(error: Error | null, events: FileChange[]) => void>();
  return {
    subscribe: async (dir, onEvents, options) => {
      const subscription = await parcel.subscribe(dir, onEvents, options);
      live.add(onEvents);
      return {
        unsubscribe: async () => {
          live.delete(onEvents);
          await subscription.unsubscribe();
        },
      };
    },
    fail: (error) => {
      for (const onEvents of live) onEvents(error, []);
    },
  };
}
