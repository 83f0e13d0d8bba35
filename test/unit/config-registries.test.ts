/** DOCKQL_REGISTRIES / --registries: the hosts the SSRF guard allows besides loopback and the daemon's lists. */
import { ConfigError, loadConfig } from '../../src/config';

describe('allowedRegistries', () => {
  it('is empty by default', () => {
    expect(loadConfig([], {}).allowedRegistries).toEqual([]);
  });

  it('reads a comma list of host and host:port, lower-cased', () => {
    expect(loadConfig([], { DOCKQL_REGISTRIES: ' Registry.Example.com , mirror.example:5000,[::1]:5000' }).allowedRegistries).toEqual([
      'registry.example.com',
      'mirror.example:5000',
      '[::1]:5000',
    ]);
  });

  it.each(['https://registry.example.com', 'user@registry.example.com', 'registry.example.com/path', 'registry.example.com.', '0x7f.1', '2130706433', 'example.123', 'a:99999'])(
    'refuses %p naming the variable',
    (value) => {
      expect(() => loadConfig([], { DOCKQL_REGISTRIES: value })).toThrow(ConfigError);
      expect(() => loadConfig([], { DOCKQL_REGISTRIES: value })).toThrow(/^DOCKQL_REGISTRIES: .* is not a registry host/);
    },
  );
});
