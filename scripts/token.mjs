#!/usr/bin/env node
/**
 * `npm run token -- --name NAME --role viewer|operator|admin [--file F]`
 *
 * Creates a random token, prints it once on stdout, and appends its sha256
 * (never the token) to the tokens file: --file, else DOCKQL_TOKENS_FILE, else
 * ./.dockql/tokens.json. The file is replaced atomically (a running dockql
 * sees the new token at once) and kept private (mode 0600).
 * Plain Node.js with no dependencies, so it works where only the built
 * server is installed. The token format matches src/auth/token-file.ts.
 */
import { createHash, randomBytes } from 'node:crypto';
import { chmodSync, existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { parseArgs } from 'node:util';

const ROLES = ['viewer', 'operator', 'admin'];
const NAME = /^[A-Za-z0-9][A-Za-z0-9._@-]{0,63}$/;

function fail(message) {
  process.stderr.write(`token: ${message}\n`);
  process.exit(2);
}

let values;
try {
  ({ values } = parseArgs({ options: { name: { type: 'string' }, role: { type: 'string' }, file: { type: 'string' }, help: { type: 'boolean', short: 'h' } }, strict: true }));
} catch (err) {
  fail(err.message);
}
if (values.help) {
  process.stdout.write('usage: npm run token -- --name NAME --role viewer|operator|admin [--file F]\n');
  process.exit(0);
}
if (!values.name || !NAME.test(values.name)) fail('--name must be 1-64 of letters, digits, ._@- (starting with a letter or digit)');
if (!ROLES.includes(values.role)) fail('--role must be viewer, operator or admin');
const file = path.resolve(values.file ?? process.env.DOCKQL_TOKENS_FILE ?? path.join('.dockql', 'tokens.json'));

let entries = [];
if (existsSync(file)) {
  try {
    entries = JSON.parse(readFileSync(file, 'utf8'));
  } catch (err) {
    fail(`${file} is not JSON (${err.message}); fix it before adding tokens`);
  }
  if (!Array.isArray(entries)) fail(`${file} must hold a JSON array`);
  if (entries.some((e) => e?.name === values.name)) fail(`a token named ${values.name} exists in ${file}; remove its entry first to replace it`);
}

const token = `dockql_${randomBytes(32).toString('base64url')}`;
const sha256 = createHash('sha256').update(token, 'utf8').digest('hex');
entries.push({ name: values.name, role: values.role, sha256 });

mkdirSync(path.dirname(file), { recursive: true, mode: 0o700 });
const temp = `${file}.${process.pid}.tmp`;
writeFileSync(temp, `${JSON.stringify(entries, null, 2)}\n`, { mode: 0o600, flag: 'wx' });
chmodSync(temp, 0o600);
renameSync(temp, file);

process.stderr.write(`token "${values.name}" (${values.role}) added to ${file}. It is shown once; store it now:\n`);
process.stdout.write(`${token}\n`);
