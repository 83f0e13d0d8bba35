#!/usr/bin/env node
// `npm start`: install dependencies and build when needed, then run the server
// in this process (flags after `npm start --` reach it unchanged).
import { execFileSync } from 'node:child_process';
import { existsSync, readdirSync, statSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.join(path.dirname(fileURLToPath(import.meta.url)), '..');

function newestMtime(dir) {
  let newest = 0;
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const full = path.join(dir, entry.name);
    newest = Math.max(newest, entry.isDirectory() ? newestMtime(full) : statSync(full).mtimeMs);
  }
  return newest;
}

execFileSync(process.execPath, [path.join(root, 'scripts', 'ensure-deps.mjs')], { stdio: 'inherit' });

const entry = path.join(root, 'dist', 'main.js');
const sources = Math.max(
  newestMtime(path.join(root, 'src')),
  statSync(path.join(root, 'tsconfig.json')).mtimeMs,
  statSync(path.join(root, 'tsconfig.build.json')).mtimeMs,
  statSync(path.join(root, 'package-lock.json')).mtimeMs,
);
if (!existsSync(entry) || statSync(entry).mtimeMs < sources) {
  console.error('dockql: building (tsc)...');
  execFileSync(process.execPath, [path.join(root, 'node_modules', 'typescript', 'bin', 'tsc'), '-p', path.join(root, 'tsconfig.build.json')], {
    stdio: 'inherit',
  });
}
// Skips itself when the bundle is current.
execFileSync(process.execPath, [path.join(root, 'scripts', 'build-playground.mjs')], { stdio: ['ignore', 'ignore', 'inherit'] });

createRequire(import.meta.url)(entry);
