/**
 * The STATUS column of `docker ps`: ports of moby's `container.State.String()`
 * (daemon/container/state.go), `Health.String()` (health.go) and go-units
 * `HumanDuration` (duration.go), so the text matches the CLI word for word.
 * Pure logic: the caller passes `now`.
 */

/** Container states as the Engine API reports them in `State.Status`. */
export type ContainerStatus = 'created' | 'running' | 'paused' | 'restarting' | 'removing' | 'exited' | 'dead';

/** Health-check states as the Engine API reports them in `State.Health.Status`. */
export type ContainerHealth = 'starting' | 'healthy' | 'unhealthy';

/** The parts of a container's `State` that the status text depends on. */
export interface ContainerStateInput {
  status: ContainerStatus;
  running: boolean;
  paused: boolean;
  restarting: boolean;
  exitCode: number;
  /** Undefined for Go's zero time (never started). */
  startedAt?: Date;
  /** Undefined for Go's zero time (never finished). */
  finishedAt?: Date;
  /** Undefined when the container has no health check. */
  health?: ContainerHealth;
}

/** Go's zero `time.Time` (0001-01-01T00:00:00Z), which the daemon sends for "never". */
const GO_ZERO_TIME_MS = Date.parse('0001-01-01T00:00:00Z');

/** Go's `time.Duration` is int64 nanoseconds and `Time.Sub` saturates at its bounds. */
const GO_MAX_DURATION_MS = 9_223_372_036_854.775807;

const MS_PER_SECOND = 1000;
const MS_PER_MINUTE = 60 * MS_PER_SECOND;
const MS_PER_HOUR = 60 * MS_PER_MINUTE;

// Only RFC 3339 timestamps (what the daemon emits); Date.parse alone would also
// accept strings such as "1" or "March 7".
const RFC3339 = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(?:\.\d+)?(?:Z|[+-]\d{2}:\d{2})$/;

/**
 * go-units `HumanDuration`: "Less than a second", "1 second", "47 seconds",
 * "About a minute", "35 minutes", "About an hour", "36 hours", "13 days",
 * "6 weeks", "23 months", "3 years". Negative or NaN durations read as
 * "Less than a second", as in Go.
 *
 * @param ms - the duration in milliseconds
 */
export function humanDuration(ms: number): string {
  // Go converts with int(...), which truncates toward zero.
  const seconds = Math.trunc(ms / MS_PER_SECOND);
  if (!(seconds >= 1)) return 'Less than a second';
  if (seconds === 1) return '1 second';
  if (seconds < 60) return `${seconds} seconds`;
  const minutes = Math.trunc(ms / MS_PER_MINUTE);
  if (minutes === 1) return 'About a minute';
  if (minutes < 60) return `${minutes} minutes`;
  // Hours are rounded (the +0.5), everything past them derives from that rounded value.
  const hours = Math.trunc(ms / MS_PER_HOUR + 0.5);
  if (hours === 1) return 'About an hour';
  if (hours < 48) return `${hours} hours`;
  if (hours < 24 * 7 * 2) return `${Math.floor(hours / 24)} days`;
  if (hours < 24 * 30 * 2) return `${Math.floor(hours / (24 * 7))} weeks`;
  if (hours < 24 * 365 * 2) return `${Math.floor(hours / (24 * 30))} months`;
  // Years use the unrounded hours, exactly as go-units does.
  return `${Math.floor(Math.trunc(ms / MS_PER_HOUR) / (24 * 365))} years`;
}

/** True for Go's zero time: missing, unparsable, or 0001-01-01T00:00:00Z. */
function isZeroTime(t: Date | undefined): boolean {
  if (t === undefined) return true;
  const ms = t.getTime();
  return !Number.isFinite(ms) || ms === GO_ZERO_TIME_MS;
}

/** `time.Now().UTC().Sub(t)` in milliseconds, with Go's zero time and saturation. */
function goSince(now: Date, t: Date | undefined): number {
  const from = isZeroTime(t) ? GO_ZERO_TIME_MS : (t as Date).getTime();
  const d = now.getTime() - from;
  return Math.min(Math.max(d, -GO_MAX_DURATION_MS), GO_MAX_DURATION_MS);
}

/** moby `Health.String()`: "starting" is spelled out, the others are clear on their own. */
function healthText(health: ContainerHealth): string {
  return health === 'starting' ? 'health: starting' : health;
}

/**
 * moby `State.String()`: "Created", "Up 3 seconds", "Up 2 minutes (Paused)",
 * "Up 5 minutes (healthy)", "Restarting (1) 4 seconds ago", "Removal In Progress",
 * "Dead", "Exited (137) 5 seconds ago". Like moby it returns "" for a stopped
 * container that started but never finished.
 *
 * The flags decide, as in moby; `status` also sets them so that a caller holding
 * only `State.Status` still gets the right text. A running container without a
 * start time reads "Up 292 years", which is what Go's saturated duration prints.
 *
 * @param state - the container's state
 * @param now - the reference instant (the daemon uses its own clock)
 */
export function containerStatusText(state: ContainerStateInput, now: Date): string {
  const { status } = state;
  const paused = state.paused || status === 'paused';
  const restarting = state.restarting || status === 'restarting';
  const running = state.running || status === 'running' || paused || restarting;

  if (running) {
    const up = humanDuration(goSince(now, state.startedAt));
    if (paused) return `Up ${up} (Paused)`;
    if (restarting) return `Restarting (${state.exitCode}) ${humanDuration(goSince(now, state.finishedAt))} ago`;
    if (state.health !== undefined) return `Up ${up} (${healthText(state.health)})`;
    return `Up ${up}`;
  }
  if (status === 'removing') return 'Removal In Progress';
  if (status === 'dead') return 'Dead';
  // moby keys "Created" on a zero StartedAt; the status check only guards
  // against inconsistent input, since the daemon reports "created" exactly then.
  if (status === 'created' || isZeroTime(state.startedAt)) return 'Created';
  if (isZeroTime(state.finishedAt)) return '';
  return `Exited (${state.exitCode}) ${humanDuration(goSince(now, state.finishedAt))} ago`;
}

/**
 * Parses a daemon timestamp (RFC 3339, nanoseconds allowed; precision beyond
 * milliseconds is dropped). Returns null for Go's zero time
 * `0001-01-01T00:00:00Z`, which the daemon uses for "never", for empty or missing
 * input, and for anything that is not RFC 3339: a timestamp is display data, and
 * one bad field should not fail a whole listing.
 */
export function parseDaemonTime(s: string | undefined | null): Date | null {
  if (!s || !RFC3339.test(s)) return null;
  const ms = Date.parse(s);
  if (!Number.isFinite(ms) || ms === GO_ZERO_TIME_MS) return null;
  return new Date(ms);
}
