/**
 * Writes schema/schema.graphql from the code (`npm run schema:emit`), or with
 * `--check` fails when the committed file differs from what the code emits.
 */
import 'reflect-metadata';
import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { buildDockqlSchema } from '../src/schema/build';
import { printDockqlSchema } from '../src/schema/print';

const SCHEMA_FILE = path.join(__dirname, '..', 'schema', 'schema.graphql');

async function main(): Promise<void> {
  const emitted = printDockqlSchema(await buildDockqlSchema());
  if (!process.argv.includes('--check')) {
    writeFileSync(SCHEMA_FILE, emitted);
    console.log(`wrote ${path.relative(process.cwd(), SCHEMA_FILE)}`);
    return;
  }
  let committed = '';
  try {
    committed = readFileSync(SCHEMA_FILE, 'utf8');
  } catch {
    /* missing counts as stale */
  }
  if (committed !== emitted) {
    console.error('schema/schema.graphql is stale: run `npm run schema:emit` and commit the result.');
    process.exit(1);
  }
  console.log('schema/schema.graphql is up to date');
}

main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
