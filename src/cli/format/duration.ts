/**
 * Ages as the docker CLI prints them (go-units `HumanDuration`, as vendored by
 * docker/cli): "Less than a second", "About a minute", "2 hours", "3 weeks"...
 * The CREATED columns add " ago".
 */

import { humanDuration } from '../../docker/ps-status';

// One go-units HumanDuration for the API's `status` text and the CLI's columns.
export { humanDuration };

const SECOND = 1000;
const MINUTE = 60 * SECOND;

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
