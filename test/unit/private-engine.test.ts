import path from 'node:path';
import { ENGINE_SCRIPT, type PrivateEngine, parseEngineEnv } from '../../src/engine/private-engine';

const SOCK = 'unix:///work/main/.dockql/engine/run/docker.sock';

describe('parseEngineEnv', () => {
  it.each<[string, string, PrivateEngine]>([
    [
      'engine.sh start output',
      `DOCKER_HOST=${SOCK}\nDOCKQL_REGISTRY=127.0.0.1:41235\n`,
      { dockerHost: SOCK, registry: '127.0.0.1:41235' },
    ],
    ['no registry line', `DOCKER_HOST=${SOCK}\n`, { dockerHost: SOCK, registry: undefined }],
    ['no trailing newline', `DOCKER_HOST=${SOCK}`, { dockerHost: SOCK, registry: undefined }],
    [
      'CRLF line ends and indentation',
      `  DOCKER_HOST=${SOCK}\r\n\tDOCKQL_REGISTRY=127.0.0.1:5000\r\n`,
      { dockerHost: SOCK, registry: '127.0.0.1:5000' },
    ],
    [
      'other lines around the variables',
      [
        'engine.sh: starting the engine',
        'dockerd: running (pid 1234, unix:///tmp/x.sock)',
        `DOCKER_HOST=${SOCK}`,
        '',
        '# a comment',
        'lower_case=ignored',
        'DOCKQL_REGISTRY=127.0.0.1:5000',
        'done.',
      ].join('\n'),
      { dockerHost: SOCK, registry: '127.0.0.1:5000' },
    ],
    ['the value keeps its own = signs', 'DOCKER_HOST=tcp://h:2375?a=b\n', { dockerHost: 'tcp://h:2375?a=b', registry: undefined }],
    ['the last of repeated lines wins', `DOCKER_HOST=unix:///old.sock\nDOCKER_HOST=${SOCK}\n`, { dockerHost: SOCK, registry: undefined }],
  ])('%s', (_name, stdout, expected) => {
    expect(parseEngineEnv(stdout)).toEqual(expected);
  });

  it.each<[string, string]>([
    ['empty output', ''],
    ['only other lines', 'engine.sh: the engine failed to start\n'],
    ['only the registry', 'DOCKQL_REGISTRY=127.0.0.1:5000\n'],
    ['an empty DOCKER_HOST', 'DOCKER_HOST=\nDOCKQL_REGISTRY=127.0.0.1:5000\n'],
    ['a lower-case key', `docker_host=${SOCK}\n`],
    ['an exported variable', `export DOCKER_HOST=${SOCK}\n`],
  ])('throws without DOCKER_HOST (%s)', (_name, stdout) => {
    expect(() => parseEngineEnv(stdout)).toThrow('engine.sh printed no DOCKER_HOST');
  });
});

describe('ENGINE_SCRIPT', () => {
  it('points at scripts/engine.sh of the project root', () => {
    expect(ENGINE_SCRIPT).toMatch(/[/\\]scripts[/\\]engine\.sh$/);
    expect(ENGINE_SCRIPT.startsWith(path.resolve(__dirname, '..', '..'))).toBe(true);
  });
});
