/** DOCKQL_MAX_UPLOAD_BYTES / --max-upload-bytes: the size limit of PUT /archives/<name>. */
import { ConfigError, loadConfig } from '../../src/config';

const GiB = 1024 ** 3;

describe('maxUploadBytes', () => {
  it('defaults to 20 GiB', () => {
    expect(loadConfig([], {}).maxUploadBytes).toBe(20 * GiB);
  });

  it.each<[string, number]>([
    ['1000', 1000],
    ['512K', 512 * 1024],
    ['100M', 100 * 1024 ** 2],
    ['20G', 20 * GiB],
    ['20GiB', 20 * GiB],
    ['20gb', 20 * GiB],
    ['1T', 1024 ** 4],
    ['4096B', 4096],
  ])('reads %p as %p bytes', (value, bytes) => {
    expect(loadConfig([], { DOCKQL_MAX_UPLOAD_BYTES: value }).maxUploadBytes).toBe(bytes);
  });

  it('takes the flag over the variable', () => {
    expect(loadConfig(['--max-upload-bytes', '2M'], { DOCKQL_MAX_UPLOAD_BYTES: '1M' }).maxUploadBytes).toBe(2 * 1024 ** 2);
  });

  it.each(['0', '-1', '1.5G', '20X', 'lots', '20iB', '99999999999999999999'])('refuses %p naming the variable', (value) => {
    expect(() => loadConfig([], { DOCKQL_MAX_UPLOAD_BYTES: value })).toThrow(ConfigError);
    expect(() => loadConfig([], { DOCKQL_MAX_UPLOAD_BYTES: value })).toThrow(/^DOCKQL_MAX_UPLOAD_BYTES: /);
  });
});
