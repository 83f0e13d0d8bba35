/**
 * Signal names and numbers as `docker kill --signal` takes them (moby's
 * pkg/signal for Linux): `SIGKILL`, `KILL`, `kill`, `9`, `SIGRTMIN+3`...
 * Pure logic: the check runs before any daemon request.
 */

/** Linux signal numbers by name (without SIG), as moby's SignalMap lists them. */
const LINUX_SIGNALS: ReadonlyMap<string, number> = new Map([
  ['ABRT', 6], ['ALRM', 14], ['BUS', 7], ['CHLD', 17], ['CLD', 17], ['CONT', 18], ['FPE', 8], ['HUP', 1],
  ['ILL', 4], ['INT', 2], ['IO', 29], ['IOT', 6], ['KILL', 9], ['PIPE', 13], ['POLL', 29], ['PROF', 27],
  ['PWR', 30], ['QUIT', 3], ['SEGV', 11], ['STKFLT', 16], ['STOP', 19], ['SYS', 31], ['TERM', 15], ['TRAP', 5],
  ['TSTP', 20], ['TTIN', 21], ['TTOU', 22], ['URG', 23], ['USR1', 10], ['USR2', 12], ['VTALRM', 26],
  ['WINCH', 28], ['XCPU', 24], ['XFSZ', 25],
]);

const SIGRTMIN = 34;
const SIGRTMAX = 64;

/** A signal docker would accept, in the form sent to the daemon. */
export interface ParsedSignal {
  /** The signal number (what the daemon receives: every daemon version reads numbers alike). */
  readonly number: number;
  /** Canonical name, e.g. SIGKILL or SIGRTMIN+3. */
  readonly name: string;
}

/** Reverse map for canonical names (first name wins: IOT, CLD and POLL are aliases). */
const NAMES_BY_NUMBER = new Map<number, string>();
for (const [name, n] of LINUX_SIGNALS) if (!NAMES_BY_NUMBER.has(n)) NAMES_BY_NUMBER.set(n, name);

function canonicalName(n: number): string {
  const plain = NAMES_BY_NUMBER.get(n);
  if (plain) return `SIG${plain}`;
  if (n === SIGRTMIN) return 'SIGRTMIN';
  if (n === SIGRTMAX) return 'SIGRTMAX';
  return n - SIGRTMIN <= 15 ? `SIGRTMIN+${n - SIGRTMIN}` : `SIGRTMAX-${SIGRTMAX - n}`;
}

/**
 * Parses a signal as `docker kill -s` does: a number from 1 to 64, or a name
 * with or without the SIG prefix, in any case; RTMIN+n (n 1-15) and RTMAX-n (n 1-14) too.
 *
 * @returns undefined when docker would refuse it (0, 65, SIGFOO, " 9"...)
 */
export function parseSignal(input: string): ParsedSignal | undefined {
  if (input.length === 0 || input.length > 16) return undefined;
  if (/^[0-9]+$/.test(input)) {
    const n = Number(input);
    return n >= 1 && n <= SIGRTMAX ? { number: n, name: canonicalName(n) } : undefined;
  }
  const upper = input.toUpperCase();
  const bare = upper.startsWith('SIG') ? upper.slice(3) : upper;
  const plain = LINUX_SIGNALS.get(bare);
  if (plain !== undefined) return { number: plain, name: canonicalName(plain) };
  if (bare === 'RTMIN') return { number: SIGRTMIN, name: 'SIGRTMIN' };
  if (bare === 'RTMAX') return { number: SIGRTMAX, name: 'SIGRTMAX' };
  const rt = /^RT(MIN\+|MAX-)([0-9]{1,2})$/.exec(bare);
  if (rt) {
    const k = Number(rt[2]);
    const n = rt[1] === 'MIN+' ? SIGRTMIN + k : SIGRTMAX - k;
    const limit = rt[1] === 'MIN+' ? 15 : 14;
    if (k >= 1 && k <= limit) return { number: n, name: canonicalName(n) };
  }
  return undefined;
}
