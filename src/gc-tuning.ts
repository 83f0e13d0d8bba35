/**
 * V8 settings for a process that streams archives of many gigabytes.
 *
 * Every read of an archive stream gets a fresh ArrayBuffer: one per socket
 * read of a save (64 KiB), one per file read of a load (1 MiB). V8 counts
 * their bytes as external memory; when that count has grown past a limit
 * (tens of MiB) since the last full garbage collection, it runs another one
 * (a mark-compact of the whole heap, on the main thread and its helpers). The young-generation
 * GC does free these buffers quickly, but by default it leaves sweeping them
 * to a helper thread, and only that sweep takes their bytes off the count. On
 * a small, busy host (2 vCPUs, the daemon using one for the save) the helper
 * gets no CPU in time, the count only climbs, and V8 runs a mark-compact
 * every few dozen MiB: bench/archive measured 50-60 of them per GiB saved and
 * about 5 s of server CPU, against 7-15 and about 2 s when the sweep runs
 * with the young-generation GC. Which of the two a run got depended on the
 * host's load, so a save took 1.0x-1.5x as long as `docker save` from one
 * run to the next.
 */
import { setFlagsFromString } from 'node:v8';

/**
 * Sweeps freed ArrayBuffers as part of the young-generation GC instead of on
 * a helper thread (see the module comment). Call once, early, in the server
 * process. V8 reads the flag at each GC, so setting it after start-up takes
 * effect at once. The cost: a young-generation pause during a save frees the
 * buffers itself, about 0.7 ms longer (1.2 instead of 0.5 ms on the bench
 * machine); with little I/O there is little to free.
 */
export function tuneGarbageCollection(): void {
  setFlagsFromString('--no-concurrent-array-buffer-sweeping');
}
