/** Which jobs a mutation's answer carries into its audit line, and the outcome they make. */
import { jobsIn, jobsOutcome } from '../../src/audit/audit-log';

describe('jobsIn', () => {
  it('takes one job, or every job of a list, with its error cut to 300 characters', () => {
    expect(jobsIn({ id: 'p1', status: 'FAILED', error: 'x'.repeat(500), ref: 'busybox:1' })).toEqual([{ id: 'p1', status: 'FAILED', error: 'x'.repeat(300) }]);
    expect(jobsIn([{ id: 'a', status: 'SUCCEEDED', error: null }, { id: 'b', status: 'RUNNING' }])).toEqual([
      { id: 'a', status: 'SUCCEEDED' },
      { id: 'b', status: 'RUNNING' },
    ]);
  });

  it('finds no job in other answers (a container, a boolean, a string, null)', () => {
    expect(jobsIn({ id: 'c1', status: 'Up 2 seconds', state: 'running' })).toEqual([]);
    expect(jobsIn(true)).toEqual([]);
    expect(jobsIn('sha256:abc')).toEqual([]);
    expect(jobsIn(null)).toEqual([]);
  });
});

describe('jobsOutcome', () => {
  it('is ok unless a job already ended FAILED (first) or CANCELED', () => {
    expect(jobsOutcome([])).toBe('ok');
    expect(jobsOutcome([{ id: 'a', status: 'RUNNING' }, { id: 'b', status: 'SUCCEEDED' }])).toBe('ok');
    expect(jobsOutcome([{ id: 'a', status: 'CANCELED' }, { id: 'b', status: 'FAILED' }])).toBe('FAILED');
    expect(jobsOutcome([{ id: 'a', status: 'CANCELED' }])).toBe('CANCELED');
  });
});
