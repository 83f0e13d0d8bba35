import {
  ContainerStateInput,
  containerStatusText,
  humanDuration,
  parseDaemonTime,
} from '../../src/docker/ps-status';

const SECOND = 1000;
const MINUTE = 60 * SECOND;
const HOUR = 60 * MINUTE;
const DAY = 24 * HOUR;
const WEEK = 7 * DAY;
const MONTH = 30 * DAY;
const YEAR = 365 * DAY;

describe('humanDuration', () => {
  // go-units duration_test.go, TestHumanDuration and ExampleHumanDuration.
  it.each<[number, string]>([
    [450, 'Less than a second'],
    [1 * SECOND, '1 second'],
    [45 * SECOND, '45 seconds'],
    [46 * SECOND, '46 seconds'],
    [47 * SECOND, '47 seconds'],
    [59 * SECOND, '59 seconds'],
    [60 * SECOND, 'About a minute'],
    [1 * MINUTE, 'About a minute'],
    [3 * MINUTE, '3 minutes'],
    [35 * MINUTE, '35 minutes'],
    [35 * MINUTE + 40 * SECOND, '35 minutes'],
    [45 * MINUTE, '45 minutes'],
    [45 * MINUTE + 40 * SECOND, '45 minutes'],
    [46 * MINUTE, '46 minutes'],
    [59 * MINUTE, '59 minutes'],
    [1 * HOUR, 'About an hour'],
    [1 * HOUR + 29 * MINUTE, 'About an hour'],
    [1 * HOUR + 31 * MINUTE, '2 hours'],
    [1 * HOUR + 45 * MINUTE, '2 hours'],
    [1 * HOUR + 59 * MINUTE, '2 hours'],
    [3 * HOUR, '3 hours'],
    [3 * HOUR + 29 * MINUTE, '3 hours'],
    [3 * HOUR + 31 * MINUTE, '4 hours'],
    [3 * HOUR + 59 * MINUTE, '4 hours'],
    [3 * HOUR + 60 * MINUTE, '4 hours'],
    [24 * HOUR, '24 hours'],
    [1 * DAY + 12 * HOUR, '36 hours'],
    [2 * DAY, '2 days'],
    [7 * DAY, '7 days'],
    [13 * DAY + 5 * HOUR, '13 days'],
    [2 * WEEK, '2 weeks'],
    [2 * WEEK + 4 * DAY, '2 weeks'],
    [3 * WEEK, '3 weeks'],
    [4 * WEEK, '4 weeks'],
    [4 * WEEK + 3 * DAY, '4 weeks'],
    [1 * MONTH, '4 weeks'],
    [1 * MONTH + 2 * WEEK, '6 weeks'],
    [2 * MONTH, '2 months'],
    [2 * MONTH + 2 * WEEK, '2 months'],
    [3 * MONTH, '3 months'],
    [3 * MONTH + 1 * WEEK, '3 months'],
    [5 * MONTH + 2 * WEEK, '5 months'],
    [13 * MONTH, '13 months'],
    [23 * MONTH, '23 months'],
    [24 * MONTH, '24 months'],
    [24 * MONTH + 2 * WEEK, '2 years'],
    [3 * YEAR + 2 * MONTH, '3 years'],
    // Not in go-units' tables, but what its code does.
    [0, 'Less than a second'],
    [999, 'Less than a second'],
    [-5 * MINUTE, 'Less than a second'],
    [Number.NaN, 'Less than a second'],
  ])('%d ms -> %j', (ms, expected) => {
    expect(humanDuration(ms)).toBe(expected);
  });
});

describe('containerStatusText', () => {
  const now = new Date('2024-06-01T12:00:00Z');
  const ago = (ms: number): Date => new Date(now.getTime() - ms);
  const base: ContainerStateInput = {
    status: 'created',
    running: false,
    paused: false,
    restarting: false,
    exitCode: 0,
  };
  const running = (startedMsAgo: number, extra: Partial<ContainerStateInput> = {}): ContainerStateInput => ({
    ...base,
    status: 'running',
    running: true,
    startedAt: ago(startedMsAgo),
    ...extra,
  });
  const exited = (code: number, finishedMsAgo: number): ContainerStateInput => ({
    ...base,
    status: 'exited',
    exitCode: code,
    startedAt: ago(finishedMsAgo + HOUR),
    finishedAt: ago(finishedMsAgo),
  });

  it.each<[string, ContainerStateInput, string]>([
    ['created', base, 'Created'],
    ['up for half a second', running(500), 'Up Less than a second'],
    ['up for a second', running(1 * SECOND), 'Up 1 second'],
    ['up for seconds', running(3 * SECOND), 'Up 3 seconds'],
    ['up for a minute', running(60 * SECOND), 'Up About a minute'],
    ['up for minutes', running(17 * MINUTE), 'Up 17 minutes'],
    ['up for about an hour', running(HOUR + 10 * MINUTE), 'Up About an hour'],
    ['up for hours', running(5 * HOUR), 'Up 5 hours'],
    ['up for days', running(3 * DAY), 'Up 3 days'],
    ['up for weeks', running(3 * WEEK), 'Up 3 weeks'],
    ['up for months', running(5 * MONTH), 'Up 5 months'],
    ['up for years', running(3 * YEAR), 'Up 3 years'],
    ['healthy', running(5 * MINUTE, { health: 'healthy' }), 'Up 5 minutes (healthy)'],
    ['unhealthy', running(2 * HOUR, { health: 'unhealthy' }), 'Up 2 hours (unhealthy)'],
    ['health starting', running(10 * SECOND, { health: 'starting' }), 'Up 10 seconds (health: starting)'],
    ['paused', running(2 * MINUTE, { status: 'paused', paused: true }), 'Up 2 minutes (Paused)'],
    ['paused hides health', running(2 * DAY, { status: 'paused', paused: true, health: 'healthy' }), 'Up 2 days (Paused)'],
    ['paused by status only', running(2 * MINUTE, { status: 'paused' }), 'Up 2 minutes (Paused)'],
    [
      'restarting',
      running(HOUR, { status: 'restarting', restarting: true, exitCode: 1, finishedAt: ago(4 * SECOND) }),
      'Restarting (1) 4 seconds ago',
    ],
    [
      'restarting for minutes',
      running(HOUR, { status: 'restarting', restarting: true, exitCode: 2, finishedAt: ago(3 * MINUTE) }),
      'Restarting (2) 3 minutes ago',
    ],
    ['removing', { ...exited(0, MINUTE), status: 'removing' }, 'Removal In Progress'],
    ['dead', { ...exited(137, MINUTE), status: 'dead' }, 'Dead'],
    ['exited seconds ago', exited(137, 5 * SECOND), 'Exited (137) 5 seconds ago'],
    ['exited minutes ago', exited(1, 2 * MINUTE), 'Exited (1) 2 minutes ago'],
    ['exited about an hour ago', exited(0, HOUR), 'Exited (0) About an hour ago'],
    ['exited hours ago', exited(0, 36 * HOUR), 'Exited (0) 36 hours ago'],
    ['exited days ago', exited(0, 10 * DAY), 'Exited (0) 10 days ago'],
    ['exited weeks ago', exited(255, 6 * WEEK), 'Exited (255) 6 weeks ago'],
    ['exited months ago', exited(0, 13 * MONTH), 'Exited (0) 13 months ago'],
    ['exited years ago', exited(0, 3 * YEAR), 'Exited (0) 3 years ago'],
    ['exited, never started', { ...base, status: 'exited', exitCode: 128 }, 'Created'],
    ['stopped, never finished', { ...base, status: 'exited', startedAt: ago(HOUR) }, ''],
    ['Go zero time counts as never', { ...base, status: 'exited', startedAt: new Date('0001-01-01T00:00:00Z') }, 'Created'],
    // time.Now().Sub(zero time) saturates at Go's maximum Duration.
    ['running without a start time', { ...base, status: 'running', running: true }, 'Up 292 years'],
    ['start time in the future (clock skew)', running(-10 * SECOND), 'Up Less than a second'],
  ])('%s', (_name, state, expected) => {
    expect(containerStatusText(state, now)).toBe(expected);
  });
});

describe('parseDaemonTime', () => {
  it.each<[string | undefined | null, string | null]>([
    ['0001-01-01T00:00:00Z', null],
    ['', null],
    [undefined, null],
    [null, null],
    ['garbage', null],
    ['1', null],
    ['2024-01-02T03:04:05Z', '2024-01-02T03:04:05.000Z'],
    ['2024-01-02T03:04:05.123456789Z', '2024-01-02T03:04:05.123Z'],
    ['2024-01-02T11:04:05.5+08:00', '2024-01-02T03:04:05.500Z'],
  ])('%j -> %j', (input, expected) => {
    const d = parseDaemonTime(input);
    expect(d === null ? null : d.toISOString()).toBe(expected);
  });
});
