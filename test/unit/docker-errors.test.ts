import { codeForDaemonStatus, daemonMessage, isUnreachable, toDockqlError } from '../../src/docker/errors';
import { DockqlError, ErrorCode, NotFoundError } from '../../src/schema/errors';

type ModemError = Error & { reason: string; statusCode: number; json: unknown };

/** An error as docker-modem's buildPayload raises it for a non-success status. */
function modemError(statusCode: number, reason: string, json: unknown, cause: string): ModemError {
  return Object.assign(new Error(`(HTTP code ${statusCode}) ${reason} - ${cause} `), {
    reason,
    statusCode,
    json,
  });
}

/** A Node socket error, as http.request emits it when connecting fails. */
function socketError(code: string, syscall: string, address: string): NodeJS.ErrnoException {
  return Object.assign(new Error(`${syscall} ${code} ${address}`), { errno: -1, code, syscall, address });
}

/** Runs toDockqlError and insists it produced an error. */
function mapped(err: unknown, endpoint?: string): DockqlError {
  const out = toDockqlError(err, endpoint);
  if (!out) throw new Error('expected a DockqlError');
  return out;
}

describe('codeForDaemonStatus', () => {
  it.each<[number, ErrorCode]>([
    [400, ErrorCode.BAD_USER_INPUT],
    [404, ErrorCode.NOT_FOUND],
    [409, ErrorCode.CONFLICT],
    [500, ErrorCode.DAEMON_ERROR],
    [503, ErrorCode.DAEMON_ERROR],
    [401, ErrorCode.DAEMON_ERROR],
    [403, ErrorCode.DAEMON_ERROR],
    [406, ErrorCode.DAEMON_ERROR],
  ])('%i -> %s', (status, code) => {
    expect(codeForDaemonStatus(status)).toBe(code);
  });
});

describe('toDockqlError on daemon answers', () => {
  it.each<[string, ModemError, ErrorCode, string]>([
    [
      'no such container',
      modemError(404, 'no such container', { message: 'No such container: web-1' }, 'No such container: web-1'),
      ErrorCode.NOT_FOUND,
      'No such container: web-1',
    ],
    [
      'image in use',
      modemError(
        409,
        'conflict',
        {
          message:
            'conflict: unable to delete 0a5a5b5b7b3c (must be forced) - image is being used by stopped container 4f2b1b1c2d3e',
        },
        'conflict: unable to delete 0a5a5b5b7b3c (must be forced) - image is being used by stopped container 4f2b1b1c2d3e',
      ),
      ErrorCode.CONFLICT,
      'conflict: unable to delete 0a5a5b5b7b3c (must be forced) - image is being used by stopped container 4f2b1b1c2d3e',
    ],
    [
      'bad parameter',
      modemError(400, 'bad parameter', { message: 'invalid reference format' }, 'invalid reference format'),
      ErrorCode.BAD_USER_INPUT,
      'invalid reference format',
    ],
    [
      'server error',
      modemError(
        500,
        'server error',
        { message: 'driver failed programming external connectivity: Bind for 0.0.0.0:8080 failed: port is already allocated' },
        'driver failed programming external connectivity: Bind for 0.0.0.0:8080 failed: port is already allocated',
      ),
      ErrorCode.DAEMON_ERROR,
      'driver failed programming external connectivity: Bind for 0.0.0.0:8080 failed: port is already allocated',
    ],
    [
      'registry denied (403)',
      modemError(403, 'unexpected', { message: 'pull access denied for private/app' }, 'pull access denied for private/app'),
      ErrorCode.DAEMON_ERROR,
      'pull access denied for private/app',
    ],
  ])('%s keeps the daemon message exactly', (_name, err, code, message) => {
    const out = mapped(err);
    expect(out).toBeInstanceOf(DockqlError);
    expect(out.code).toBe(code);
    expect(out.extensions.code).toBe(code);
    expect(out.extensions.daemonStatus).toBe(err.statusCode);
    expect(out.message).toBe(message);
  });

  it.each<[string, unknown, string]>([
    ['a string body', 'page not found\n', 'page not found'],
    ['a Buffer body', Buffer.from('404 page not found\n'), '404 page not found'],
  ])('uses %s as the message', (_name, json, message) => {
    const out = mapped(modemError(404, 'no such image', json, String(json)));
    expect(out.code).toBe(ErrorCode.NOT_FOUND);
    expect(out.message).toBe(message);
  });

  it.each<[string, string, string]>([
    // Streaming calls (pull, logs) get json null: only the wrapper text carries the daemon's words.
    ['no such container', '(HTTP code 404) no such container - No such container: my-app-1 ', 'No such container: my-app-1'],
    ['no such image', '(HTTP code 404) no such image - No such image: busybox:9 ', 'No such image: busybox:9'],
    [
      'conflict',
      '(HTTP code 409) conflict - Conflict. The container name "/web" is already in use by container "4f2b". ',
      'Conflict. The container name "/web" is already in use by container "4f2b".',
    ],
  ])('strips the modem wrapper when only its text is there (%s)', (_name, text, message) => {
    const statusCode = Number(/HTTP code (\d+)/.exec(text)![1]);
    const err = Object.assign(new Error(text), { statusCode, json: null });
    const out = mapped(err);
    expect(out.code).toBe(codeForDaemonStatus(statusCode));
    expect(out.message).toBe(message);
  });

  it('maps on statusCode, not message text', () => {
    // The words say "not found" but the daemon answered 500.
    const out = mapped(modemError(500, 'server error', { message: 'network not found' }, 'network not found'));
    expect(out.code).toBe(ErrorCode.DAEMON_ERROR);
  });
});

describe('toDockqlError on unreachable daemons', () => {
  it.each<[string, unknown]>([
    ['ECONNREFUSED', socketError('ECONNREFUSED', 'connect', '/var/run/docker.sock')],
    ['ENOENT', socketError('ENOENT', 'connect', '/var/run/docker.sock')],
    ['EACCES', socketError('EACCES', 'connect', '/var/run/docker.sock')],
    ['ECONNREFUSED over tcp', socketError('ECONNREFUSED', 'connect', '10.0.0.5')],
  ])('%s -> DAEMON_UNAVAILABLE', (code, err) => {
    expect(isUnreachable(err)).toBe(true);
    const out = mapped(err);
    expect(out.code).toBe(ErrorCode.DAEMON_UNAVAILABLE);
    expect(out.message).toContain((err as NodeJS.ErrnoException).code!);
    expect(out.message).toContain('Cannot connect to the Docker daemon');
  });

  it.each<[string, string | undefined, boolean]>([
    ['with an endpoint', 'unix:///var/run/docker.sock', true],
    ['without an endpoint', undefined, false],
  ])('names the endpoint only when given (%s)', (_name, endpoint, shown) => {
    const out = mapped(socketError('ECONNREFUSED', 'connect', '/var/run/docker.sock'), endpoint);
    expect(out.message.includes('/var/run/docker.sock')).toBe(shown);
    if (endpoint) expect(out.message).toContain(` at ${endpoint} `);
  });

  it('treats ssh2 client-socket failures as unreachable', () => {
    const err = Object.assign(new Error('connect ECONNREFUSED 10.0.0.5:22'), { level: 'client-socket' });
    const out = mapped(err, 'ssh://core@10.0.0.5');
    expect(out.code).toBe(ErrorCode.DAEMON_UNAVAILABLE);
    expect(out.message).toContain('connection failed');
  });
});

describe('toDockqlError on anything else', () => {
  it.each<[string, unknown]>([
    ['a TypeError', new TypeError("Cannot read properties of undefined (reading 'Id')")],
    ['an Error with an unrelated code', Object.assign(new Error('bad arg'), { code: 'ERR_INVALID_ARG_TYPE' })],
    ['a string', 'boom'],
    ['null', null],
    ['undefined', undefined],
    ['a number', 42],
  ])('%s -> undefined', (_name, err) => {
    expect(toDockqlError(err)).toBeUndefined();
    expect(toDockqlError(err, 'unix:///var/run/docker.sock')).toBeUndefined();
  });

  it.each<[string, DockqlError]>([
    ['a DockqlError', new DockqlError(ErrorCode.CONFLICT, 'already running')],
    ['a subclass', new NotFoundError('No such image: x')],
  ])('passes %s through unchanged', (_name, err) => {
    expect(toDockqlError(err)).toBe(err);
    expect(toDockqlError(err, 'unix:///var/run/docker.sock')).toBe(err);
  });
});

describe('daemonMessage', () => {
  it.each<[string, Parameters<typeof daemonMessage>[0], string]>([
    ['json.message', { json: { message: 'No such volume: data' } }, 'No such volume: data'],
    ['blank string json falls back to the text', { json: '  ', message: '(HTTP code 500) server error - boom ' }, 'boom'],
    ['empty Buffer falls back to the text', { json: Buffer.alloc(0), message: '(HTTP code 404) no such image - gone ' }, 'gone'],
    ['no message at all', {}, 'the daemon answered an error'],
  ])('%s', (_name, err, expected) => {
    expect(daemonMessage(err)).toBe(expected);
  });
});
