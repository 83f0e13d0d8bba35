import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { type Config, ConfigError, type DockerEndpoint, loadConfig, parseDockerHost } from '../../src/config';

type Env = Record<string, string | undefined>;

/** Runs fn and returns the ConfigError it must throw. */
function configError(fn: () => unknown): ConfigError {
  try {
    fn();
  } catch (e) {
    if (e instanceof ConfigError) return e;
    throw e;
  }
  throw new Error('expected a ConfigError');
}

/** A directory with dummy TLS files, as `docker-machine env` leaves them in DOCKER_CERT_PATH. */
function certDir(files: readonly string[] = ['ca.pem', 'cert.pem', 'key.pem']): string {
  const dir = mkdtempSync(path.join(tmpdir(), 'dockql-certs-'));
  for (const f of files) writeFileSync(path.join(dir, f), `-----BEGIN DUMMY ${f}-----\n`);
  return dir;
}

const tempDirs: string[] = [];
function tempCertDir(files?: readonly string[]): string {
  const dir = certDir(files);
  tempDirs.push(dir);
  return dir;
}
afterAll(() => {
  for (const d of tempDirs) rmSync(d, { recursive: true, force: true });
});

describe('loadConfig defaults', () => {
  const config = loadConfig([], {});

  it.each<[keyof Config, unknown]>([
    ['host', '127.0.0.1'],
    ['port', 4000],
    ['dockerHost', 'unix:///var/run/docker.sock'],
    ['dockerHostExplicit', false],
    ['logLevel', 'info'],
    ['development', false],
    ['archiveDir', path.resolve(process.cwd(), 'archives')],
    ['engineDir', path.resolve(process.cwd(), '.dockql', 'engine')],
    ['archiveDirectIo', true],
  ])('%s defaults to %p', (key, expected) => {
    expect(config[key]).toEqual(expected);
  });

  it.each(['archiveDir', 'engineDir'] as const)('%s is an absolute path', (key) => {
    expect(path.isAbsolute(config[key])).toBe(true);
  });

  it('talks to the local unix socket by default', () => {
    expect(config.docker).toEqual({ kind: 'unix', socketPath: '/var/run/docker.sock' });
  });

  it('is frozen', () => {
    expect(Object.isFrozen(config)).toBe(true);
    expect(() => {
      (config as { port: number }).port = 1;
    }).toThrow(TypeError);
    expect(config.port).toBe(4000);
  });

  it('treats blank variables as unset', () => {
    expect(loadConfig([], { DOCKQL_PORT: '  ', DOCKER_HOST: '', LOG_LEVEL: ' ' })).toMatchObject({
      port: 4000,
      dockerHost: 'unix:///var/run/docker.sock',
      dockerHostExplicit: false,
      logLevel: 'info',
    });
  });
});

describe('loadConfig from the environment', () => {
  it.each<[string, Env, Partial<Config>]>([
    ['DOCKQL_HOST', { DOCKQL_HOST: '0.0.0.0' }, { host: '0.0.0.0' }],
    ['DOCKQL_HOST bracketed IPv6', { DOCKQL_HOST: '[::1]' }, { host: '::1' }],
    ['DOCKQL_PORT', { DOCKQL_PORT: '8080' }, { port: 8080 }],
    ['DOCKQL_PORT=0 (any free port)', { DOCKQL_PORT: '0' }, { port: 0 }],
    ['PORT when DOCKQL_PORT is unset', { PORT: '3000' }, { port: 3000 }],
    ['DOCKQL_PORT over PORT', { DOCKQL_PORT: '4100', PORT: '3000' }, { port: 4100 }],
    ['a bare HOST is ignored', { HOST: 'my-laptop.example.com' }, { host: '127.0.0.1' }],
    [
      'DOCKER_HOST',
      { DOCKER_HOST: 'unix:///run/user/1000/docker.sock' },
      { dockerHost: 'unix:///run/user/1000/docker.sock', dockerHostExplicit: true },
    ],
    ['DOCKQL_ARCHIVE_DIR', { DOCKQL_ARCHIVE_DIR: '/srv/dockql/archives' }, { archiveDir: '/srv/dockql/archives' }],
    ['DOCKQL_ARCHIVE_DIR relative', { DOCKQL_ARCHIVE_DIR: 'data/arch' }, { archiveDir: path.resolve('data/arch') }],
    ['DOCKQL_ENGINE_DIR', { DOCKQL_ENGINE_DIR: '/var/lib/dockql-engine' }, { engineDir: '/var/lib/dockql-engine' }],
    ['DOCKQL_ARCHIVE_DIRECT_IO=false', { DOCKQL_ARCHIVE_DIRECT_IO: 'false' }, { archiveDirectIo: false }],
    ['LOG_LEVEL', { LOG_LEVEL: 'debug' }, { logLevel: 'debug' }],
    ['LOG_LEVEL in capitals', { LOG_LEVEL: 'WARN' }, { logLevel: 'warn' }],
    ['NODE_ENV=development', { NODE_ENV: 'development' }, { development: true }],
    ['NODE_ENV=production', { NODE_ENV: 'production' }, { development: false }],
  ])('%s', (_name, env, expected) => {
    expect(loadConfig([], env)).toMatchObject(expected);
  });
});

describe('loadConfig flags', () => {
  const env: Env = {
    DOCKQL_HOST: '10.0.0.1',
    DOCKQL_PORT: '4100',
    PORT: '3000',
    DOCKER_HOST: 'unix:///from/env.sock',
    DOCKQL_ARCHIVE_DIR: '/env/archives',
    DOCKQL_ENGINE_DIR: '/env/engine',
    LOG_LEVEL: 'error',
  };

  it.each<[string[], Partial<Config>]>([
    [['--port', '5000'], { port: 5000 }],
    [['--port=5001'], { port: 5001 }],
    [['--host', '0.0.0.0'], { host: '0.0.0.0' }],
    [['--docker-host', 'unix:///from/flag.sock'], { dockerHost: 'unix:///from/flag.sock', dockerHostExplicit: true }],
    [['--archive-dir', '/flag/archives'], { archiveDir: '/flag/archives' }],
    [['--engine-dir', '/flag/engine'], { engineDir: '/flag/engine' }],
    [['--archive-direct-io', 'off'], { archiveDirectIo: false }],
    [['--log-level', 'trace'], { logLevel: 'trace' }],
  ])('%j wins over the environment', (argv, expected) => {
    expect(loadConfig(argv, env)).toMatchObject(expected);
  });

  it('leaves settings without a flag to the environment', () => {
    expect(loadConfig(['--port', '5000'], env)).toMatchObject({
      port: 5000,
      host: '10.0.0.1',
      dockerHost: 'unix:///from/env.sock',
      archiveDir: '/env/archives',
      engineDir: '/env/engine',
      logLevel: 'error',
    });
  });

  it('marks the daemon explicit when only the flag names it', () => {
    const c = loadConfig(['--docker-host', 'tcp://10.1.2.3:2375'], {});
    expect(c.dockerHostExplicit).toBe(true);
    expect(c.docker).toEqual({ kind: 'tcp', host: '10.1.2.3', port: 2375 });
  });
});

describe('loadConfig rejects unusable values', () => {
  it.each<[string, string[], Env, string]>([
    ['DOCKQL_PORT=abc', [], { DOCKQL_PORT: 'abc' }, 'DOCKQL_PORT'],
    ['DOCKQL_PORT=70000', [], { DOCKQL_PORT: '70000' }, 'DOCKQL_PORT'],
    ['DOCKQL_PORT=-1', [], { DOCKQL_PORT: '-1' }, 'DOCKQL_PORT'],
    ['DOCKQL_PORT=80.5', [], { DOCKQL_PORT: '80.5' }, 'DOCKQL_PORT'],
    ['LOG_LEVEL=loud', [], { LOG_LEVEL: 'loud' }, 'LOG_LEVEL'],
    ['DOCKQL_ARCHIVE_DIRECT_IO=maybe', [], { DOCKQL_ARCHIVE_DIRECT_IO: 'maybe' }, 'DOCKQL_ARCHIVE_DIRECT_IO'],
    ['DOCKQL_HOST=http://x', [], { DOCKQL_HOST: 'http://x' }, 'DOCKQL_HOST'],
    ['DOCKQL_HOST with a space', [], { DOCKQL_HOST: 'my host' }, 'DOCKQL_HOST'],
    ['DOCKER_HOST=foo://x', [], { DOCKER_HOST: 'foo://x' }, 'DOCKER_HOST'],
    ['DOCKER_HOST without a scheme', [], { DOCKER_HOST: '/var/run/docker.sock' }, 'DOCKER_HOST'],
    ['DOCKER_HOST=unix://relative', [], { DOCKER_HOST: 'unix://relative' }, 'DOCKER_HOST'],
    ['DOCKER_HOST=tcp://', [], { DOCKER_HOST: 'tcp://' }, 'DOCKER_HOST'],
    ['DOCKER_HOST with a path', [], { DOCKER_HOST: 'tcp://h:2375/v1.41' }, 'DOCKER_HOST'],
    ['DOCKER_HOST with a bad port', [], { DOCKER_HOST: 'tcp://h:99999' }, 'DOCKER_HOST'],
    ['--port abc', ['--port', 'abc'], {}, 'abc'],
    ['--log-level loud', ['--log-level', 'loud'], {}, 'loud'],
    ['--docker-host foo://x', ['--docker-host', 'foo://x'], {}, 'DOCKER_HOST'],
    ['an unknown flag', ['--nope', '1'], {}, '--nope'],
    ['a flag without its value', ['--port'], {}, '--port'],
    ['a positional argument', ['serve'], {}, 'serve'],
  ])('%s', (_name, argv, env, named) => {
    const err = configError(() => loadConfig(argv, env));
    expect(err.name).toBe('ConfigError');
    expect(err.message).toContain(named);
  });

  it('quotes the bad value in the message', () => {
    expect(configError(() => loadConfig([], { DOCKQL_PORT: '70000' })).message).toBe(
      'DOCKQL_PORT: "70000" is not a TCP port (0-65535)',
    );
  });

  // BUG (src/config.ts parsePort): the message always names DOCKQL_PORT, even when
  // the value came from the PORT fallback the user actually set.
  it('names PORT when the bad value came from PORT', () => {
    expect(configError(() => loadConfig([], { PORT: 'abc' })).message).toMatch(/^PORT: /);
  });
});

describe('parseDockerHost', () => {
  it.each<[string, DockerEndpoint]>([
    ['unix:///var/run/docker.sock', { kind: 'unix', socketPath: '/var/run/docker.sock' }],
    ['tcp://h:2375', { kind: 'tcp', host: 'h', port: 2375 }],
    ['tcp://192.168.99.100', { kind: 'tcp', host: '192.168.99.100', port: 2375 }],
    ['tcp://[::1]:2375', { kind: 'tcp', host: '::1', port: 2375 }],
    ['tcp://docker.example.com:2375/', { kind: 'tcp', host: 'docker.example.com', port: 2375 }],
    ['ssh://user@host:2222', { kind: 'ssh', host: 'host', port: 2222, username: 'user' }],
    ['ssh://host', { kind: 'ssh', host: 'host', port: 22, username: undefined }],
  ])('%s', (value, expected) => {
    const endpoint = parseDockerHost(value, undefined, undefined, {});
    expect(endpoint).toEqual(expected);
    expect(endpoint).not.toHaveProperty('tls');
  });

  it('leaves tcp without TLS when neither DOCKER_TLS_VERIFY nor DOCKER_CERT_PATH is set', () => {
    const c = loadConfig([], { DOCKER_HOST: 'tcp://h:2375' });
    expect(c.docker).toEqual({ kind: 'tcp', host: 'h', port: 2375 });
    expect(c.docker.kind === 'tcp' && c.docker.tls).toBeUndefined();
  });

  it.each<[string, Env, number]>([
    ['default port 2376', { DOCKER_HOST: 'tcp://docker.example.com' }, 2376],
    ['explicit port', { DOCKER_HOST: 'tcp://docker.example.com:3376' }, 3376],
  ])('uses TLS with DOCKER_TLS_VERIFY=1 and DOCKER_CERT_PATH (%s)', (_name, env, port) => {
    const dir = tempCertDir();
    const c = loadConfig([], { ...env, DOCKER_TLS_VERIFY: '1', DOCKER_CERT_PATH: dir });
    if (c.docker.kind !== 'tcp') throw new Error(`expected tcp, got ${c.docker.kind}`);
    expect(c.docker.host).toBe('docker.example.com');
    expect(c.docker.port).toBe(port);
    expect(c.docker.tls).toBeDefined();
    expect(c.docker.tls!.verify).toBe(true);
    expect(c.docker.tls!.ca.toString()).toBe('-----BEGIN DUMMY ca.pem-----\n');
    expect(c.docker.tls!.cert.toString()).toBe('-----BEGIN DUMMY cert.pem-----\n');
    expect(c.docker.tls!.key.toString()).toBe('-----BEGIN DUMMY key.pem-----\n');
  });

  it('takes --tlsverify as a switch and --cert-path as a flag', () => {
    const dir = tempCertDir();
    const c = loadConfig(['--docker-host', 'tcp://docker.example.com', '--tlsverify', '--cert-path', dir], {});
    expect(c.docker).toMatchObject({ kind: 'tcp', host: 'docker.example.com', port: 2376, tls: { verify: true } });
  });

  it('uses TLS without verification when only DOCKER_CERT_PATH is given', () => {
    const dir = tempCertDir();
    const endpoint = parseDockerHost('tcp://h', undefined, dir, {});
    expect(endpoint).toMatchObject({ kind: 'tcp', host: 'h', port: 2376, tls: { verify: false } });
  });

  it('reads certificates from $HOME/.docker when DOCKER_CERT_PATH is unset', () => {
    const home = mkdtempSync(path.join(tmpdir(), 'dockql-home-'));
    tempDirs.push(home);
    const docker = path.join(home, '.docker');
    mkdirSync(docker);
    for (const f of ['ca.pem', 'cert.pem', 'key.pem']) writeFileSync(path.join(docker, f), f);
    const endpoint = parseDockerHost('tcp://h:2376', '1', undefined, { HOME: home });
    if (endpoint.kind !== 'tcp') throw new Error('expected tcp');
    expect(endpoint.tls?.ca.toString()).toBe('ca.pem');
    expect(endpoint.tls?.verify).toBe(true);
  });

  it.each<[string, string[]]>([
    ['an empty directory', []],
    ['no key.pem', ['ca.pem', 'cert.pem']],
    ['no ca.pem', ['cert.pem', 'key.pem']],
  ])('names DOCKER_CERT_PATH when TLS files are missing (%s)', (_name, files) => {
    const dir = tempCertDir(files);
    const err = configError(() =>
      loadConfig([], { DOCKER_HOST: 'tcp://h:2376', DOCKER_TLS_VERIFY: '1', DOCKER_CERT_PATH: dir }),
    );
    expect(err.message).toContain('DOCKER_CERT_PATH');
    expect(err.message).toContain(dir);
  });

  it('names DOCKER_CERT_PATH when the directory does not exist', () => {
    const missing = path.join(tmpdir(), 'dockql-no-such-dir-for-certs');
    const err = configError(() => parseDockerHost('tcp://h', '1', missing, {}));
    expect(err.message).toMatch(/^DOCKER_CERT_PATH: cannot read ca\.pem/);
  });

  it('ignores TLS settings for unix and ssh endpoints', () => {
    expect(parseDockerHost('unix:///var/run/docker.sock', '1', '/nowhere', {})).toEqual({
      kind: 'unix',
      socketPath: '/var/run/docker.sock',
    });
    expect(parseDockerHost('ssh://core@10.0.0.5', '1', '/nowhere', {})).toEqual({
      kind: 'ssh',
      host: '10.0.0.5',
      port: 22,
      username: 'core',
    });
  });
});
