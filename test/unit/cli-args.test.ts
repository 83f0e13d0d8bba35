/** The CLI's command line and its failures: flags, usage errors (exit 2), settings, and one-line messages for every way a request fails. */
import { locateCommand, optionLines, parseCommandArgs } from '../../src/cli/args';
import { CliError, EXIT_FAILED, EXIT_USAGE, UsageError } from '../../src/cli/errors';
import { graphqlFailure, httpFailure, networkFailure, socketFailure } from '../../src/cli/failures';
import { parseFilters } from '../../src/cli/filters';
import { wrap } from '../../src/cli/help';
import { archiveUrl, DEFAULT_SERVER, resolveSettings, webSocketUrl } from '../../src/cli/settings';

const context = { server: 'http://127.0.0.1:4000/graphql', tokenGiven: true };

function thrown(fn: () => unknown): unknown {
  try {
    fn();
  } catch (err) {
    return err;
  }
  throw new Error('did not throw');
}

describe('locateCommand', () => {
  it('finds the command after global flags, and leaves every other argument', () => {
    expect(locateCommand(['--server', 'http://h:1', 'images', '--json'])).toEqual({ name: 'images', rest: ['--server', 'http://h:1', '--json'], help: false, version: false });
    expect(locateCommand(['--token=abc', 'ps', '-a']).name).toBe('ps');
    const help = locateCommand(['--help']);
    expect(help.name).toBeUndefined();
    expect(help.help).toBe(true);
  });

  it('refuses a command flag before the command as a usage error', () => {
    const err = thrown(() => locateCommand(['--json', 'images']));
    expect(err).toBeInstanceOf(UsageError);
    expect((err as CliError).exitCode).toBe(EXIT_USAGE);
  });
});

describe('parseCommandArgs', () => {
  const specs = { all: { type: 'boolean' as const, short: 'a', description: 'all' }, output: { type: 'string' as const, short: 'o', description: 'out' } };

  it('parses command and global flags anywhere among the positionals', () => {
    const parsed = parseCommandArgs(['x', '-a', '--server', 'http://h:1', '-o', '-', 'y'], specs, 'dockql t');
    expect(parsed.values).toMatchObject({ all: true, server: 'http://h:1', output: '-' });
    expect(parsed.positionals).toEqual(['x', 'y']);
  });

  it.each([
    [['--bogus'], "dockql t: unknown flag --bogus (see 'dockql t --help')"],
    [['--output'], "dockql t: flag --output needs a value (see 'dockql t --help')"],
    [['--all=yes'], "dockql t: flag --all takes no value (see 'dockql t --help')"],
  ])('turns %j into the usage error %p', (argv, message) => {
    const err = thrown(() => parseCommandArgs(argv, specs, 'dockql t'));
    expect(err).toBeInstanceOf(UsageError);
    expect((err as Error).message).toBe(message);
  });

  it('aligns option help like docker', () => {
    expect(optionLines(specs)).toEqual(['  -a, --all      all', '  -o, --output   out']);
  });

  it('wraps help paragraphs at 80 columns', () => {
    const lines = wrap('word '.repeat(40));
    expect(lines.every((l) => l.length <= 80)).toBe(true);
    expect(lines.join(' ')).toBe('word '.repeat(40).trim());
  });
});

describe('parseFilters', () => {
  it('groups key=value filters and refuses unknown keys', () => {
    expect(parseFilters(['label=a', 'label=b=c', 'name=x'], ['label', 'name'], 'dockql ps')).toEqual(new Map([['label', ['a', 'b=c']], ['name', ['x']]]));
    expect(thrown(() => parseFilters(['colour=red'], ['label'], 'dockql ps'))).toBeInstanceOf(UsageError);
    expect(thrown(() => parseFilters(['label'], ['label'], 'dockql ps'))).toBeInstanceOf(UsageError);
  });
});

describe('resolveSettings', () => {
  it('takes the flag over DOCKQL_SERVER over the default, and adds /graphql to a bare URL', () => {
    expect(resolveSettings({}, {}).server).toBe(DEFAULT_SERVER);
    expect(resolveSettings({}, { DOCKQL_SERVER: 'http://h:9' }).server).toBe('http://h:9/graphql');
    expect(resolveSettings({ server: 'https://h/dockql/graphql' }, { DOCKQL_SERVER: 'http://h:9' }).server).toBe('https://h/dockql/graphql');
  });

  it('takes the token from --token or DOCKQL_TOKEN, and none when empty', () => {
    expect(resolveSettings({ token: 't1' }, { DOCKQL_TOKEN: 't2' }).token).toBe('t1');
    expect(resolveSettings({}, { DOCKQL_TOKEN: 't2' }).token).toBe('t2');
    expect(resolveSettings({}, { DOCKQL_TOKEN: '' }).token).toBeUndefined();
  });

  it.each(['ftp://h/graphql', 'not a url', 'http://user:pw@h/graphql'])('refuses --server %p as a usage error', (server) => {
    expect(thrown(() => resolveSettings({ server }, {}))).toBeInstanceOf(UsageError);
  });

  it('derives the WebSocket and archive URLs, keeping a proxy prefix', () => {
    expect(webSocketUrl('https://h/dockql/graphql')).toBe('wss://h/dockql/graphql');
    expect(archiveUrl('https://h/dockql/graphql', 'a b.tar')).toBe('https://h/dockql/archives/a%20b.tar');
    expect(archiveUrl('http://127.0.0.1:4000/graphql', 'x.tar')).toBe('http://127.0.0.1:4000/archives/x.tar');
  });
});

describe('failures', () => {
  it('says a refused connection in one line, also inside fetch and happy-eyeballs wrappers', () => {
    const refused = Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:4000'), { code: 'ECONNREFUSED' });
    const fetchError = new TypeError('fetch failed', { cause: refused });
    const aggregate = new TypeError('fetch failed', { cause: Object.assign(new AggregateError([refused]), {}) });
    for (const err of [refused, fetchError, aggregate]) {
      expect(networkFailure(err, context)?.message).toBe('cannot reach dockql at http://127.0.0.1:4000/graphql: connection refused');
    }
    expect(networkFailure(new Error('something else'), context)).toBeUndefined();
  });

  it('spells out token and role refusals, and passes the server message otherwise', () => {
    expect(graphqlFailure({ message: 'unknown or revoked token', extensions: { code: 'UNAUTHENTICATED' } }, context).message).toBe(
      'the server refused the token (401): unknown or revoked token',
    );
    expect(graphqlFailure({ message: 'a token is required', extensions: { code: 'UNAUTHENTICATED' } }, { ...context, tokenGiven: false }).message).toMatch(
      /\(give a token with --token or DOCKQL_TOKEN\)$/,
    );
    expect(graphqlFailure({ message: 'pullImage needs operator', extensions: { code: 'FORBIDDEN' } }, context).message).toBe('forbidden (403): pullImage needs operator');
    const bad = graphqlFailure({ message: 'ref: invalid reference format\nmore', extensions: { code: 'BAD_USER_INPUT' } }, context);
    expect(bad).toMatchObject({ message: 'ref: invalid reference format more', exitCode: EXIT_FAILED, code: 'BAD_USER_INPUT' });
    expect(httpFailure(409, { code: 'CONFLICT', message: 'exists' }, context)).toMatchObject({ message: 'exists', code: 'CONFLICT' });
    expect(httpFailure(502, {}, context).message).toBe('the server at http://127.0.0.1:4000/graphql answered HTTP 502');
  });

  it('explains WebSocket closes: 4401 is the token, 4403 a refusal, others say why the socket failed', () => {
    expect(socketFailure({ code: 4401, reason: 'Unauthorized' }, undefined, context).message).toBe('the server refused the token (401): Unauthorized');
    expect(socketFailure({ code: 4403, reason: 'Forbidden: token revoked' }, undefined, context).message).toBe('forbidden (403): Forbidden: token revoked');
    const refused = { error: Object.assign(new Error('connect ECONNREFUSED'), { code: 'ECONNREFUSED' }) };
    expect(socketFailure({ code: 1006, reason: '' }, refused, context).message).toMatch(/connection refused$/);
    expect(socketFailure({ code: 1011, reason: 'boom' }, undefined, context).message).toBe('the server closed the connection (WebSocket code 1011: boom)');
    expect(socketFailure({ code: 4408, reason: 'no pong' }, undefined, context).message).toMatch(/stopped answering/);
    expect(socketFailure({ code: 4418, reason: '' }, undefined, context).message).toMatch(/did not acknowledge/);
    expect(socketFailure([{ message: 'no such job', extensions: { code: 'NOT_FOUND' } }], undefined, context).message).toBe('no such job');
    expect(socketFailure(new Error('Unexpected server response: 404'), undefined, context).message).toMatch(/does not accept WebSocket connections there \(HTTP 404\)/);
  });
});
