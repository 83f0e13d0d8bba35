/**
 * Ages as the docker CLI prints them (go-units `HumanDuration`, as vendored by
 * docker/cli): "Less than a second", "About a minute", "2 hours", "3 weeks"...
 * The CREATED columns add " ago".
 */

const SECOND = 1000;
const MINUTE = 60 * SECOND;
const HOUR = 60 * MINUTE;
const DAY = 24 * HOUR;
const WEEK = 7 * DAY;
const MONTH = 30 * DAY;
const YEAR = 365 * DAY;

/** go-units roundDuration: the nearest whole number of `unit` (halves up). */
function round(ms: number, unit: number): number {
  return Math.floor(ms / unit + 0.5);
}

/** A human approximation of `ms` milliseconds, word for word like go-units. */
export function humanDuration(ms: number): string {
  const seconds = Math.trunc(ms / SECOND);
  if (seconds < 1) return 'Less than a second';
  if (seconds === 1) return '1 second';
  if (seconds < 60) return `${seconds} seconds`;
  const minutes = Math.trunc(ms / MINUTE);
  if (minutes === 1) return 'About a minute';
  if (minutes < 60) return `${minutes} minutes`;
  const hours = round(ms, HOUR);
  if (hours === 1) return 'About an hour';
  if (hours < 48) return `${hours} hours`;
  if (ms < 2 * WEEK) return `${round(ms, DAY)} days`;
  if (ms < 2 * MONTH) return `${round(ms, WEEK)} weeks`;
  if (ms < 2 * YEAR) return `${round(ms, MONTH)} months`;
  return `${round(ms, YEAR)} years`;
}

/**
 * The CREATED column: "2 hours ago". Like docker, the age is computed on the
 * client, so clock skew with the server shows; a time in the future counts as now.
 */
export function humanAge(time: Date | string, now: Date = new Date()): string {
  const then = typeof time === 'string' ? new Date(time) : time;
  return `${humanDuration(Math.max(0, now.getTime() - then.getTime()))} ago`;
}

/** Elapsed time for a finished transfer: "850ms", "1.4s", "2m5s". */
export function shortElapsed(ms: number): string {
  if (ms < SECOND) return `${Math.round(ms)}ms`;
  if (ms < MINUTE) return `${(ms / SECOND).toFixed(1)}s`;
  const total = Math.round(ms / SECOND);
  const h = Math.floor(total / 3600);
  const m = Math.floor((total % 3600) / 60);
  const s = total % 60;
  return h > 0 ? `${h}h${m}m${s}s` : `${m}m${s}s`;
}
