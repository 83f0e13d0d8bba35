/** Event filters the way `docker events --filter` reads them, and events as the schema shows them. */
import 'reflect-metadata';
import type { DaemonEventDto } from '../../src/docker/events';
import { actionMatches, compileEventFilter, matchesEventFilter, toEventType } from '../../src/schema/events/event-filter';
import { parseExitCode, toContainerEvent, toDockerEvent } from '../../src/schema/events/event.mapper';
import { EventType } from '../../src/schema/events/event.type';

const ID = 'a5b4836697e5547062f3339c1121b211aaa0c7ed491b021a443cfb1ed3b9b0d8';

function event(over: Partial<DaemonEventDto> & { attributes?: Record<string, string> } = {}): DaemonEventDto {
  return {
    Type: over.Type ?? 'container',
    Action: over.Action ?? 'start',
    Actor: { ID: over.Actor?.ID ?? ID, Attributes: over.attributes ?? { name: 'web', image: 'nginx:1.25', team: 'ops', tier: '' } },
    scope: 'local',
    time: 1795851351,
    timeNano: over.timeNano ?? 1795851351924704063n,
  };
}

const matches = (filter: Parameters<typeof compileEventFilter>[0], e = event()) => matchesEventFilter(compileEventFilter(filter), e);

describe('matchesEventFilter', () => {
  it('admits everything without a filter or with empty lists', () => {
    expect(matches(null)).toBe(true);
    expect(matches({ types: [], actions: [], containers: [], labels: [] })).toBe(true);
  });

  it.each([
    ['the exact name', 'web', true],
    ['the name with its slash', '/web', true],
    ['the full id', ID, true],
    ['an id prefix', 'a5b483', true],
    ['a name prefix (the CLI would take it; we do not)', 'we', false],
    ['another name', 'db', false],
    ['a non-prefix piece of the id', '4836697', false],
  ])('matches containers by %s', (_what, wanted, expected) => {
    expect(matches({ containers: [wanted] })).toBe(expected);
  });

  it('takes any of several containers, names as they were at event time', () => {
    expect(matches({ containers: ['db', 'web'] })).toBe(true);
    expect(matches({ containers: ['web'] }, event({ attributes: { name: 'web-renamed' } }))).toBe(false);
  });

  it('matches network and volume events that name the container, and no others', () => {
    const connect = event({ Type: 'network', Action: 'connect', Actor: { ID: 'net1', Attributes: {} }, attributes: { container: ID, name: 'none' } });
    expect(matches({ containers: ['a5b4'] }, connect)).toBe(true);
    expect(matches({ containers: ['none'] }, connect)).toBe(false);
    expect(matches({ containers: ['web'] }, event({ Type: 'image', Action: 'pull', attributes: { name: 'web' } }))).toBe(false);
  });

  it('matches actions exactly, and the word before ": " of detailed actions', () => {
    expect(actionMatches('health_status', 'health_status: unhealthy')).toBe(true);
    expect(actionMatches('exec_start', 'exec_start: sh -c date')).toBe(true);
    expect(actionMatches('health_status: healthy', 'health_status: healthy')).toBe(true);
    expect(actionMatches('die', 'died')).toBe(false);
    expect(actionMatches('exec', 'exec_start: sh')).toBe(false);
    expect(matches({ actions: ['create', 'start'] })).toBe(true);
    expect(matches({ actions: ['die'] })).toBe(false);
  });

  it('needs every label: "key" present, "key=value" equal (an empty value too)', () => {
    expect(matches({ labels: ['team=ops'] })).toBe(true);
    expect(matches({ labels: ['team'] })).toBe(true);
    expect(matches({ labels: ['tier='] })).toBe(true);
    expect(matches({ labels: ['team=ops', 'tier'] })).toBe(true);
    expect(matches({ labels: ['team=dev'] })).toBe(false);
    expect(matches({ labels: ['team=ops', 'owner'] })).toBe(false);
    expect(matches({ labels: ['constructor'] })).toBe(false);
  });

  it('matches types as the enum, unknown daemon types as UNKNOWN', () => {
    expect(matches({ types: [EventType.CONTAINER, EventType.IMAGE] })).toBe(true);
    expect(matches({ types: [EventType.NETWORK] })).toBe(false);
    expect(matches({ types: [EventType.UNKNOWN] }, event({ Type: 'teleporter' }))).toBe(true);
    expect(toEventType('builder')).toBe(EventType.BUILDER);
    expect(toEventType('toString')).toBe(EventType.UNKNOWN);
  });

  it('needs every criterion at once', () => {
    expect(matches({ containers: ['web'], actions: ['start'], labels: ['team=ops'], types: [EventType.CONTAINER] })).toBe(true);
    expect(matches({ containers: ['web'], actions: ['die'], labels: ['team=ops'] })).toBe(false);
  });
});

describe('compileEventFilter: input checks (BAD_USER_INPUT before subscribing)', () => {
  it.each([
    ['an empty container', { containers: [''] }, /filter\.containers\[0\] must not be empty/],
    ['a container with a space', { containers: ['my web'] }, /filter\.containers\[0\]/],
    ['a label without a key', { labels: ['=ops'] }, /filter\.labels\[0\]/],
    ['an action with control characters', { actions: ['start\n'] }, /control characters/],
    ['too many values', { actions: Array.from({ length: 101 }, () => 'start') }, /more than 100/],
  ])('refuses %s', (_what, input, message) => {
    expect(() => compileEventFilter(input)).toThrow(expect.objectContaining({ message: expect.stringMatching(message), extensions: expect.objectContaining({ code: 'BAD_USER_INPUT' }) }));
  });
});

describe('event mapping', () => {
  it('gives a die event its exit code, and no other action one', () => {
    const die = toContainerEvent(event({ Action: 'die', attributes: { name: 'web', image: 'nginx:1.25', exitCode: '137' } }));
    expect(die).toEqual({
      action: 'die',
      containerId: ID,
      name: 'web',
      image: 'nginx:1.25',
      time: new Date(1795851351924),
      timeNano: '1795851351924704063',
      exitCode: 137,
      attributes: [
        { key: 'exitCode', value: '137' },
        { key: 'image', value: 'nginx:1.25' },
        { key: 'name', value: 'web' },
      ],
    });
    expect(toContainerEvent(event({ Action: 'kill', attributes: { exitCode: '1', signal: '9' } })).exitCode).toBeNull();
    expect(toContainerEvent(event({ attributes: {} }))).toMatchObject({ name: null, image: null });
  });

  it('reads exit codes strictly', () => {
    expect(parseExitCode('0')).toBe(0);
    expect(parseExitCode('-1')).toBe(-1);
    expect(parseExitCode('')).toBeNull();
    expect(parseExitCode('12abc')).toBeNull();
    expect(parseExitCode('99999999999')).toBeNull();
    expect(parseExitCode(undefined)).toBeNull();
  });

  it('maps any event, keeping the daemon\'s own type word', () => {
    expect(toDockerEvent(event({ Type: 'teleporter', Action: 'beam' }))).toMatchObject({ type: 'UNKNOWN', rawType: 'teleporter', action: 'beam', actorId: ID, scope: 'local', timeNano: '1795851351924704063' });
  });
});
