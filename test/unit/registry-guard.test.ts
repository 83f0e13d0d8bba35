/** RegistryGuard: loopback and DOCKQL_REGISTRIES without asking the daemon; the daemon's lists cached for a while. */
import { DockqlError } from '../../src/schema/errors';
import { type DaemonRegistrySettings, RegistryGuard } from '../../src/schema/registry/registry-guard.service';

function setup(lists: DaemonRegistrySettings | Error = { insecureRegistries: [], registryMirrors: [] }, allowed: string[] = []) {
  let now = 0;
  const calls = { n: 0 };
  let answer = lists;
  const guard = new RegistryGuard({
    allowed,
    daemonLists: async () => {
      calls.n++;
      if (answer instanceof Error) throw answer;
      return answer;
    },
    ttlMs: 30_000,
    now: () => now,
  });
  return {
    guard,
    calls,
    advance: (ms: number) => (now += ms),
    answer: (next: DaemonRegistrySettings | Error) => (answer = next),
  };
}

async function outcome(p: Promise<void>): Promise<string> {
  try {
    await p;
    return 'ok';
  } catch (err) {
    if (err instanceof DockqlError) return `${err.code}: ${err.message}`;
    throw err;
  }
}

describe('RegistryGuard.checkArgument', () => {
  it('allows loopback and DOCKQL_REGISTRIES hosts without asking the daemon', async () => {
    const { guard, calls } = setup(undefined, ['registry.example.com', 'pinned.example:5000']);
    for (const host of ['127.0.0.1:5000', 'localhost', '[::1]:1', 'registry.example.com:8443', 'pinned.example:5000']) {
      expect(await outcome(guard.checkArgument('host', host))).toBe('ok');
    }
    expect(calls.n).toBe(0);
  });

  it('refuses any other host with FORBIDDEN naming DOCKQL_REGISTRIES', async () => {
    const { guard } = setup(undefined, ['pinned.example:5000']);
    expect(await outcome(guard.checkArgument('host', 'evil.example:5000', 'registry host'))).toBe(
      `FORBIDDEN: registry host "evil.example:5000" is not allowed: add it to DOCKQL_REGISTRIES (or the daemon's insecure-registries/registry-mirrors)`,
    );
    expect(await outcome(guard.checkArgument('mirror', 'pinned.example'))).toMatch(/^FORBIDDEN: mirror host "pinned.example" is not allowed/);
  });

  it('answers BAD_USER_INPUT, naming the argument, for tricky spellings, before asking the daemon', async () => {
    const { guard, calls } = setup();
    for (const host of ['2130706433', '0x7f.1', '127.1', '[::ffff:127.0.0.1]', 'user@127.0.0.1', 'localhost.']) {
      expect(await outcome(guard.checkArgument('host', host))).toMatch(/^BAD_USER_INPUT: host: invalid registry host/);
    }
    expect(calls.n).toBe(0);
  });

  it("allows the daemon's insecure registries (names and literal IPs in its CIDRs) and mirrors", async () => {
    const { guard } = setup({ insecureRegistries: ['198.51.100.0/24', 'insecure.example:5000'], registryMirrors: ['https://mirror.example.com/'] });
    for (const host of ['198.51.100.20:5000', 'insecure.example:5000', 'mirror.example.com', 'mirror.example.com:443']) {
      expect(await outcome(guard.checkArgument('host', host))).toBe('ok');
    }
    for (const host of ['198.51.101.1', 'insecure.example:5001', 'registry.example.com']) {
      expect(await outcome(guard.checkArgument('host', host))).toMatch(/^FORBIDDEN/);
    }
  });

  it("reads the daemon's lists once per TTL, shared by concurrent checks", async () => {
    const { guard, calls, advance, answer } = setup({ insecureRegistries: [], registryMirrors: ['https://mirror.example.com'] });
    await Promise.all([1, 2, 3].map(() => guard.checkArgument('mirror', 'mirror.example.com')));
    advance(29_000);
    await guard.checkArgument('mirror', 'mirror.example.com');
    expect(calls.n).toBe(1);
    answer({ insecureRegistries: [], registryMirrors: [] });
    advance(2_000);
    expect(await outcome(guard.checkArgument('mirror', 'mirror.example.com'))).toMatch(/^FORBIDDEN/);
    expect(calls.n).toBe(2);
  });

  it('refuses (FORBIDDEN) when the daemon cannot be asked, and asks again next time', async () => {
    const { guard, calls, answer } = setup(new Error('connect ENOENT'));
    expect(await outcome(guard.checkArgument('host', 'mirror.example.com'))).toMatch(/^FORBIDDEN: .*could not be read$/);
    answer({ insecureRegistries: [], registryMirrors: ['https://mirror.example.com'] });
    expect(await outcome(guard.checkArgument('host', 'mirror.example.com'))).toBe('ok');
    expect(calls.n).toBe(2);
  });
});

describe('RegistryGuard.hostGuard (for the registry client)', () => {
  it('is FORBIDDEN, not BAD_USER_INPUT, for a host it cannot read (e.g. a realm URL host)', async () => {
    const { guard } = setup();
    expect(await outcome(guard.hostGuard('auth_server.example', 'token realm host of registry 127.0.0.1:5000'))).toMatch(
      /^FORBIDDEN: token realm host of registry 127.0.0.1:5000 "auth_server.example" is not allowed/,
    );
    expect(await outcome(guard.hostGuard('127.0.0.1:5001', 'token realm host'))).toBe('ok');
  });
});

describe('RegistryGuard.daemonRegistryConfig', () => {
  it("hands the registry client the RegistryConfig of the same cached docker info: one daemon request serves both", async () => {
    const registryConfig = { InsecureRegistryCIDRs: ['127.0.0.0/8'], IndexConfigs: { 'mirror.example:5000': { Name: 'mirror.example:5000', Secure: false } } };
    const { guard, calls, advance } = setup({ insecureRegistries: ['127.0.0.0/8', 'mirror.example:5000'], registryMirrors: [], registryConfig });
    expect(await outcome(guard.checkArgument('host', 'mirror.example:5000'))).toBe('ok');
    expect(await guard.daemonRegistryConfig()).toEqual(registryConfig);
    expect(calls.n).toBe(1);
    advance(30_001);
    expect(await guard.daemonRegistryConfig()).toEqual(registryConfig);
    expect(calls.n).toBe(2);
  });
});
