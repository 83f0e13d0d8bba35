#!/usr/bin/env node
// The `dockql` command: runs the compiled CLI (src/cli, built to dist/cli by `npm run build`).
'use strict';
const { existsSync } = require('node:fs');
const path = require('node:path');

const entry = path.join(__dirname, '..', 'dist', 'cli', 'main.js');
if (!existsSync(entry)) {
  process.stderr.write(`dockql: not built yet: run \`npm run build\` in ${path.join(__dirname, '..')}\n`);
  process.exit(1);
}
require(entry).main();
