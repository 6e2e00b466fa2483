/**
 * Types of the two functions codesearch uses from fs-native-extensions (the package ships none).
 * On Linux they are open-file-description `fcntl` locks (F_OFD_SETLK): held per open file, so two
 * handles conflict even inside one process, and released when the file is closed or its process exits.
 */
declare module "fs-native-extensions" {
  /** Asks for a lock on the whole file without waiting: true when granted, false when another open file holds a conflicting one. */
  export function tryLock(fd: number, options?: { shared?: boolean }): boolean;
  /** Gives back the lock this open file holds. */
  export function unlock(fd: number): void;
}
