#!/usr/bin/env node
/**
 * Bundles the GraphiQL playground (src/playground/app/main.tsx) with esbuild into
 * dist/playground/ so the server never needs a CDN.
 *
 * Outputs (all in the same directory):
 *   playground.bundle.js / playground.bundle.css   the bundle; fonts and images are data: URLs
 *   manifest.json                                  files, byte sizes, sha256; written LAST
 *
 * The ".bundle" infix is deliberate: tsc compiles src/playground/playground.ts to
 * dist/playground/playground.js, the same directory, and the two must never overwrite
 * each other. The server only serves files listed in manifest.json, so its own .js
 * files in that directory are never exposed.
 *
 * Skips the build when every output is newer than every input (files under
 * src/playground/app, package-lock.json and this script), so `npm start` stays fast.
 *
 * Usage: node scripts/build-playground.mjs [--outdir <dir>] [--force]
 */
import { build } from 'esbuild';
import { createHash } from 'node:crypto';
import { mkdir, readdir, rename, stat, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { gzipSync } from 'node:zlib';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const APP_DIR = path.join(ROOT, 'src', 'playground', 'app');
const ENTRY = path.join(APP_DIR, 'main.tsx');
const SCRIPT_NAME = 'playground.bundle.js';
const STYLE_NAME = 'playground.bundle.css';
const MANIFEST_NAME = 'manifest.json';

/** Parses the two flags; anything else is a mistake worth failing on. */
function parseArgs(argv) {
  const args = { outdir: path.join(ROOT, 'dist', 'playground'), force: false };
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    if (arg === '--force') args.force = true;
    else if (arg === '--outdir' && argv[i + 1]) args.outdir = path.resolve(argv[++i]);
    else throw new Error(`unknown argument: ${arg}`);
  }
  return args;
}

/** Every regular file below dir, recursively. */
async function listFiles(dir) {
  const entries = await readdir(dir, { withFileTypes: true });
  const nested = await Promise.all(
    entries.map((e) => {
      const full = path.join(dir, e.name);
      return e.isDirectory() ? listFiles(full) : e.isFile() ? [full] : [];
    }),
  );
  return nested.flat();
}

/** mtime in ms, or undefined when the file does not exist. */
async function mtimeOf(file) {
  try {
    return (await stat(file)).mtimeMs;
  } catch (err) {
    if (err.code === 'ENOENT') return undefined;
    throw err;
  }
}

/** True when every output exists and is strictly newer than the newest input. */
async function isUpToDate(outdir) {
  const inputs = [...(await listFiles(APP_DIR)), path.join(ROOT, 'package-lock.json'), fileURLToPath(import.meta.url)];
  const outputs = [SCRIPT_NAME, STYLE_NAME, MANIFEST_NAME].map((n) => path.join(outdir, n));
  const inputTimes = await Promise.all(inputs.map(mtimeOf));
  const outputTimes = await Promise.all(outputs.map(mtimeOf));
  if (outputTimes.some((t) => t === undefined)) return false;
  const newestInput = Math.max(...inputTimes.filter((t) => t !== undefined));
  return Math.min(...outputTimes) > newestInput;
}

/** Runs esbuild in memory; throws (after esbuild has printed them) on any error. */
async function bundle(outdir) {
  const result = await build({
    entryPoints: [ENTRY],
    outfile: path.join(outdir, SCRIPT_NAME), // the CSS lands next to it as playground.bundle.css
    bundle: true,
    write: false, // written by us, so a failed build never leaves half an output behind
    platform: 'browser',
    format: 'iife',
    target: 'es2020',
    jsx: 'automatic',
    minify: true,
    sourcemap: false,
    define: { 'process.env.NODE_ENV': '"production"' },
    // Anything a stylesheet references becomes a data: URL: one CSS file, no
    // other asset to serve, and `font-src`/`img-src` only need 'self' data:.
    loader: {
      '.woff': 'dataurl',
      '.woff2': 'dataurl',
      '.ttf': 'dataurl',
      '.eot': 'dataurl',
      '.otf': 'dataurl',
      '.svg': 'dataurl',
      '.png': 'dataurl',
      '.gif': 'dataurl',
      '.jpg': 'dataurl',
      '.jpeg': 'dataurl',
      '.webp': 'dataurl',
    },
    legalComments: 'eof', // keep the MIT/BSD notices of what we ship
    logLevel: 'warning', // print warnings and errors as esbuild formats them
  });
  const byName = new Map(result.outputFiles.map((f) => [path.basename(f.path), f.contents]));
  for (const name of [SCRIPT_NAME, STYLE_NAME]) {
    if (!byName.has(name)) throw new Error(`esbuild produced no ${name} (got: ${[...byName.keys()].join(', ')})`);
  }
  if (byName.size !== 2) throw new Error(`unexpected extra outputs: ${[...byName.keys()].join(', ')}`);
  return byName;
}

/** Writes via a temp file + rename so a reader never sees a partial file. */
async function writeAtomic(file, contents) {
  const tmp = `${file}.${process.pid}.tmp`;
  await writeFile(tmp, contents);
  await rename(tmp, file);
}

async function main() {
  const { outdir, force } = parseArgs(process.argv.slice(2));
  if (!force && (await isUpToDate(outdir))) {
    console.log('playground up to date');
    return;
  }
  const started = Date.now();
  const outputs = await bundle(outdir);
  await mkdir(outdir, { recursive: true });

  const files = {};
  for (const [name, contents] of outputs) {
    await writeAtomic(path.join(outdir, name), contents);
    files[name] = {
      bytes: contents.byteLength,
      gzipBytes: gzipSync(contents, { level: 9 }).byteLength,
      sha256: createHash('sha256').update(contents).digest('hex'),
    };
  }
  // The manifest goes last: the server treats "manifest present" as "bundle complete".
  const manifest = { version: 1, script: SCRIPT_NAME, style: STYLE_NAME, files };
  await writeAtomic(path.join(outdir, MANIFEST_NAME), `${JSON.stringify(manifest, null, 2)}\n`);

  console.log(`playground built in ${Date.now() - started} ms -> ${path.relative(ROOT, outdir) || outdir}`);
  for (const [name, f] of Object.entries(files)) {
    const kib = (n) => `${(n / 1024).toFixed(1)} KiB`.padStart(11);
    console.log(`  ${name.padEnd(24)} ${kib(f.bytes)} raw ${kib(f.gzipBytes)} gzip`);
  }
}

main().catch((err) => {
  // esbuild has already printed its formatted errors; this line makes the failure unmissable.
  console.error(`build-playground FAILED: ${err instanceof Error ? err.message : err}`);
  process.exit(1);
});
