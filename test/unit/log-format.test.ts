/** DOCKQL_LOG_FORMAT: JSON for machines, pino-pretty for a person at a terminal, `auto` telling them apart. */
import { ConfigError, loadConfig } from '../../src/config';
import { createLogger, resolveLogFormat } from '../../src/logger';

describe('DOCKQL_LOG_FORMAT', () => {
  it('is auto unless set, and the flag wins over the variable', () => {
    expect(loadConfig([], {}).logFormat).toBe('auto');
    expect(loadConfig([], { DOCKQL_LOG_FORMAT: 'JSON' }).logFormat).toBe('json');
    expect(loadConfig(['--log-format', 'pretty'], { DOCKQL_LOG_FORMAT: 'json' }).logFormat).toBe('pretty');
  });

  it('names the variable when the value is not a format', () => {
    expect(() => loadConfig([], { DOCKQL_LOG_FORMAT: 'xml' })).toThrow(new ConfigError('DOCKQL_LOG_FORMAT: "xml" is not one of auto, json, pretty'));
  });
});

describe('resolveLogFormat', () => {
  it('makes auto pretty on a terminal and JSON elsewhere; explicit formats stay', () => {
    expect(resolveLogFormat('auto', true)).toBe('pretty');
    expect(resolveLogFormat('auto', false)).toBe('json');
    expect(resolveLogFormat('json', true)).toBe('json');
    expect(resolveLogFormat('pretty', false)).toBe('pretty');
  });
});

describe('createLogger', () => {
  it('writes JSON lines to a given destination whatever the format (tests capture them)', () => {
    const lines: string[] = [];
    createLogger('info', { write: (l: string) => void lines.push(l) }, 'pretty').info({ requestId: 'r1' }, 'hello');
    expect(JSON.parse(lines[0]!)).toMatchObject({ msg: 'hello', requestId: 'r1', service: 'dockql' });
  });

  it('builds a pretty logger without failing', () => {
    expect(createLogger('silent', undefined, 'pretty').level).toBe('silent');
  });
});
