/** The README's configuration table is the user-facing copy of SETTINGS: every variable and flag is there. */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { SETTINGS } from '../../src/config';

const readme = readFileSync(path.join(__dirname, '..', '..', 'README.md'), 'utf8');

it.each(Object.values(SETTINGS).map((s) => [s.env, s.flag] as const))('documents %s (--%s) in the configuration table', (env, flag) => {
  expect(readme).toMatch(new RegExp(`^\\| \`${env}\` \\| \`--${flag}\` \\|`, 'm'));
});
