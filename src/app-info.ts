/** dockql's own name and version, read once from package.json. */
import { readFileSync } from 'node:fs';
import path from 'node:path';

function readVersion(): string {
  // Compiled code lives in dist/, sources in src/: package.json is one level up from either.
  const pkg = JSON.parse(readFileSync(path.join(__dirname, '..', 'package.json'), 'utf8')) as { version: string };
  return pkg.version;
}

/** The service's identity as an Engine API client. */
export const APP_INFO = Object.freeze({ name: 'dockql', version: readVersion() });
