/**
 * A property-based fuzz (fast-check) of every String/ID argument of every
 * mutation, found in the schema (top-level arguments and input-object fields,
 * list items included), so a mutation added later is fuzzed without listing it;
 * and of the archive routes' `:name`. Sent as an admin, so no role hides an
 * input path. For each case: a clean answer (a result, or errors with the
 * contract's codes, never INTERNAL_SERVER_ERROR, nothing leaked), an answer
 * within a bound, no daemon request line carrying the raw string (a recording
 * proxy sits on the daemon socket), and no file outside the archive directory.
 *
 * Reproducible: slot i (in schema order) draws from seed SEED + i, the archive
 * routes from SEED + 1001..1003; DOCKQL_FUZZ_SEED replaces SEED, and
 * DOCKQL_FUZZ_RUNS sets the random cases per slot (the hand-picked strings always
 * run first). A failure stops its slot at once (no shrinking: each case may
 * create things) and is reported with its value, the others still run.
 */
import { readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import fc from 'fast-check';
import type { GraphQLSchema } from 'graphql';
import { buildDockqlSchema } from '../../src/schema/build';
import { startTestApp, type TestApp } from '../support/app';
import { startCountingProxy, type CountingProxy } from '../support/counting-proxy';
import { docker, testDockerHost, testRegistry } from '../support/engine';
import { cleanUp, createContainer, makeImage, runContainer, TEST_LABEL } from '../support/fixtures';
import { type Answer, ArchiveSandbox, archiveRouteProblems, fileNamesOf, graphqlProblems, postGraphql, sendRaw } from '../support/hostile-case';
import { carriesRaw, HOSTILE_STRINGS, hostileString } from '../support/hostile-strings';
import { exportArchive } from '../support/tars';
import { type GivenLiterals, slotDocument, slotLabel, type StringSlot, stringSlots } from '../support/schema-operations';

const OWNER = 'hostile-input';
const SEED = Number(process.env.DOCKQL_FUZZ_SEED ?? 20260506);
const RUNS = Number(process.env.DOCKQL_FUZZ_RUNS ?? 8);
const BENIGN = 'dockql-benign';
const VOLUME = 'dockql-hostile-vol';
const SOURCE_TAG = 'dockql-hostile/src:1';
const ROOTFS = 'hostile-rootfs.tar';

/**
 * Slots whose value travels only in a request body or header, never in a URL:
 * exempt from the raw-in-a-request-line check (the other checks still apply).
 * Import's `changes` and `message` are NOT here: they go in the query string of
 * POST /images/create, so they must arrive encoded like any path segment.
 */
const BODY_ONLY: Readonly<Record<string, string>> = {
  'ContainerInput.cmd': 'Cmd in the JSON body of POST /containers/create',
  'ContainerInput.entrypoint': 'Entrypoint in that JSON body',
  'ContainerInput.env': 'Env in that JSON body',
  'LabelInput.value': 'Labels in the JSON body of container and volume create',
  'SysctlInput.value': 'HostConfig.Sysctls in the JSON body',
  'execInContainer.cmd': 'Cmd in the JSON body of POST /containers/{id}/exec',
  'execInContainer.env': 'Env in that JSON body',
  'RegistryAuthInput.username': 'the base64 X-Registry-Auth header',
  'RegistryAuthInput.password': 'the base64 X-Registry-Auth header',
};

/**
 * Mutations acting on everything are fuzzed only with a guard that keeps them
 * off other tests' things. pruneContainers ANDs its label filters, so a label
 * nothing carries makes it remove nothing; pruneImages, loadAllArchives and
 * saveAllImages take no string, so they are never fuzzed. A new such mutation
 * with a string argument fails the test until it gets a guard here.
 */
const SWEEPING = /^prune|All/;
const GUARDED: Readonly<Record<string, string>> = {
  'pruneContainers.labels': JSON.stringify([`${TEST_LABEL}=${OWNER}-matches-nothing`]),
};

let api: TestApp;
let proxy: CountingProxy;
let sandbox: ArchiveSandbox;
let schema: GraphQLSchema;
let given: GivenLiterals;
const logs: string[] = [];
const fixedText: string[] = [];
/** File names hostile values could give (see fileNamesOf), searched for in the temp dir and the working dir at the end. */
const fileNames = new Set<string>();
let tmpBefore: Set<string>;
let cwdBefore: Set<string>;
let cases = 0;

beforeAll(async () => {
  tmpBefore = new Set(readdirSync(tmpdir()));
  cwdBefore = new Set(readdirSync(process.cwd()));
  proxy = await startCountingProxy(testDockerHost());
  sandbox = new ArchiveSandbox();
  api = await startTestApp({
    dockerHost: proxy.dockerHost,
    archiveDir: sandbox.archiveDir,
    tokens: { root: 'admin' },
    env: { LOG_LEVEL: 'error' },
    logs,
    // The fuzz sends thousands of mutations as fast as they answer: no rate limit in the way.
    config: { rateLimitPerSecond: 100_000, rateBurst: 1_000_000 },
  });
  schema = await buildDockqlSchema();
  const running = await runContainer(OWNER, [], ['sleep', '3600']);
  const created = await createContainer(OWNER);
  const image = await makeImage(OWNER, SOURCE_TAG);
  const pushTag = `${testRegistry()}/dockql-hostile/push:1`;
  await docker(['tag', image, pushTag]);
  const upload = await sendRaw(api.baseUrl, api.tokens.root, 'PUT', `/archives/${ROOTFS}`, await exportArchive());
  expect(upload.status).toBe(201);

  const s = JSON.stringify;
  const table: Record<string, string> = {
    ...GUARDED,
    'ContainerInput.image': s('dockql/busybox:latest'),
    'ContainerInput.cmd': s(['true']),
    'ContainerInput.networkMode': s('none'),
    'ContainerInput.labels': `[{ key: ${s(TEST_LABEL)}, value: ${s(OWNER)} }]`,
    'BindMountInput.hostPath': s(sandbox.root),
    'BindMountInput.containerPath': s('/mnt/hostile'),
    'DeviceInput.hostPath': s('/dev/null'),
    'VolumeMountInput.name': s(VOLUME),
    'VolumeMountInput.destination': s('/data'),
    'SysctlInput.name': s('kernel.msgmax'),
    'SysctlInput.value': s('65536'),
    'createVolume.labels': `[{ key: ${s(TEST_LABEL)}, value: ${s(OWNER)} }]`,
    'execInContainer.ref': s(running),
    'execInContainer.cmd': s(['true']),
    'execInContainer.timeout': '5',
    'killContainer.ref': s(running),
    'renameContainer.ref': s(created),
    'exportContainer.ref': s(created),
    'tagImage.source': s(image),
    'tagImage.target': s('dockql-hostile/tag:1'),
    'saveImages.refs': s([SOURCE_TAG]),
    'importImage.archive': s(ROOTFS),
    'importImage.ref': s('dockql-hostile/import:1'),
    'importImage.changes': s([`LABEL ${TEST_LABEL}=${OWNER}`]),
    'pushImage.ref': s(pushTag),
  };
  // wait: true everywhere, so a job's daemon requests happen inside its case.
  given = (owner, name) => table[`${owner}.${name}`] ?? (name === 'wait' ? 'true' : undefined);
});

afterAll(async () => {
  console.info(`hostile-input: ${cases} cases in all (seed ${SEED}, DOCKQL_FUZZ_RUNS=${RUNS})`);
  const ours = (await docker(['ps', '-aq', '--filter', `label=${TEST_LABEL}=${OWNER}`]).catch(() => ({ stdout: '' }))).stdout.split('\n').filter(Boolean);
  const mounted = ours.length ? (await docker(['inspect', '-f', '{{range .Mounts}}{{if eq .Type "volume"}}{{.Name}} {{end}}{{end}}', ...ours]).catch(() => ({ stdout: '' }))).stdout.split(/\s+/) : [];
  await cleanUp(OWNER);
  const labelled = (await docker(['volume', 'ls', '-q', '--filter', `label=${TEST_LABEL}=${OWNER}`]).catch(() => ({ stdout: '' }))).stdout.split('\n');
  for (const volume of new Set([...mounted, ...labelled, VOLUME, BENIGN].filter(Boolean))) await docker(['volume', 'rm', '-f', volume]).catch(() => undefined);
  await api?.stop();
  await proxy?.close();
  sandbox?.remove();
});

const socketPaths = () => [testDockerHost(), proxy.dockerHost].map((h) => h.replace(/^unix:\/\//, '')).concat('docker.sock');
const requestLines = () => proxy.requests.map((r) => r.path);

function mutationSlots(): StringSlot[] {
  const slots = Object.values(schema.getMutationType()!.getFields()).flatMap(stringSlots);
  const unguarded = slots.filter((s) => SWEEPING.test(s.field.name) && !Object.keys(GUARDED).some((k) => k.startsWith(`${s.field.name}.`)));
  if (unguarded.length) throw new Error(`${unguarded.map(slotLabel).join(', ')}: a mutation acting on everything needs a guard in GUARDED before it is fuzzed`);
  return slots;
}

/** One case: the slot's mutation with `value` in it; returns what is wrong (nothing: a clean case). */
async function graphqlCase(slot: StringSlot, value: string, stats: { ok: number; daemon: number }): Promise<string[]> {
  proxy.reset();
  remember(value);
  const escapes = sandbox.escapes([value]);
  const answer: Answer = await postGraphql(api.graphqlUrl, api.tokens.root, slotDocument('mutation', slot, given), { v: value });
  const problems = graphqlProblems(answer, value, socketPaths());
  if (!(answer.json as { errors?: unknown })?.errors) stats.ok++;
  if (proxy.requests.length) stats.daemon++;
  if (!BODY_ONLY[`${slot.owner}.${slot.name}`]) {
    for (const line of requestLines()) if (carriesRaw(line, value, fixedText)) problems.push(`daemon request carries it raw: ${line.slice(0, 300)}`);
  }
  problems.push(...sandbox.problems(escapes));
  return problems;
}

function remember(value: string): void {
  if (fileNames.size < 50_000) for (const n of fileNamesOf(value)) fileNames.add(n);
}

const shown = (value: string) => JSON.stringify(value.length > 120 ? `${value.slice(0, 120)}…(${value.length} chars)` : value);

describe('every string argument of every mutation, fuzzed with hostile strings as an admin', () => {
  const benignCodes: Array<{ slot: string; codes: unknown[] }> = [];

  // Each slot with a benign value first: the daemon paths it causes are the API's fixed text (see carriesRaw).
  beforeAll(async () => {
    for (const slot of mutationSlots()) {
      proxy.reset();
      const answer = await postGraphql(api.graphqlUrl, api.tokens.root, slotDocument('mutation', slot, given), { v: BENIGN });
      benignCodes.push({ slot: slotLabel(slot), codes: ((answer.json as { errors?: Array<{ extensions?: { code?: string } }> }).errors ?? []).map((e) => e.extensions?.code) });
      fixedText.push(...requestLines());
    }
  });

  it('generates a valid document for every slot (a benign value meets no validation failure or internal error)', () => {
    expect(benignCodes.length).toBeGreaterThanOrEqual(90);
    expect(benignCodes.filter((b) => b.codes.some((c) => c === 'GRAPHQL_VALIDATION_FAILED' || c === 'INTERNAL_SERVER_ERROR'))).toEqual([]);
  });

  it('answers every case cleanly, in time, without a raw string in a daemon URL or a file outside the archive dir', async () => {
    const slots = mutationSlots();
    const failures: string[] = [];
    const table: string[] = [];
    const started = Date.now();
    for (const [index, slot] of slots.entries()) {
      const stats = { cases: 0, ok: 0, daemon: 0 };
      const slotStarted = Date.now();
      try {
        await fc.assert(
          fc.asyncProperty(hostileString(), async (value) => {
            stats.cases++;
            cases++;
            const problems = await graphqlCase(slot, value, stats);
            if (problems.length) throw new Error(`${slotLabel(slot)} with ${shown(value)}: ${problems.join('; ')}`);
          }),
          // fast-check counts examples in numRuns: every hand-picked string, then RUNS random ones.
          // Slot i draws from SEED + i, so the slots get different random strings and a run still replays from SEED.
          { seed: SEED + index, numRuns: HOSTILE_STRINGS.length + RUNS, examples: HOSTILE_STRINGS.map((s) => [s] as [string]), endOnFailure: true },
        );
      } catch (err) {
        // fast-check 4 keeps the property's own error as `cause`; its message names the slot and the value.
        const cause = (err as Error).cause;
        failures.push((cause instanceof Error ? cause.message : String(err)).slice(0, 600));
      }
      table.push(`  ${slotLabel(slot)}: ${stats.cases} cases, ${stats.ok} results, ${stats.daemon} reached the daemon, ${((Date.now() - slotStarted) / 1000).toFixed(1)} s`);
    }
    console.info(`hostile-input: ${cases} cases over ${slots.length} arguments of ${new Set(slots.map((s) => s.field.name)).size} mutations (seed ${SEED} + slot index, ${RUNS} random + ${HOSTILE_STRINGS.length} hand-picked each) in ${Math.round((Date.now() - started) / 1000)} s\n${table.join('\n')}`);
    expect(failures).toEqual([]);
    expect(logs.filter((l) => l.includes('unexpected error'))).toEqual([]);
    // About 3 minutes on a 2-core box; the bound leaves room for a loaded one.
  }, 15 * 60_000);

  it('still answers { __typename } after the run', async () => {
    const answer = await postGraphql(api.graphqlUrl, api.tokens.root, '{ __typename }', {});
    expect(answer.json).toEqual({ data: { __typename: 'Query' } });
  });
});

const decodedOnce = (value: string) => {
  try {
    return decodeURIComponent(value);
  } catch {
    return value;
  }
};

/** Every byte percent-encoded but the unreserved ones (lone surrogates become U+FFFD, as UTF-8 must). */
const percentEncode = (value: string) => [...Buffer.from(value, 'utf8')].map((b) => (/[A-Za-z0-9\-._~]/.test(String.fromCharCode(b)) ? String.fromCharCode(b) : `%${b.toString(16).toUpperCase().padStart(2, '0')}`)).join('');

describe('the archive routes, fuzzed through :name', () => {
  it.each([['GET', 1001], ['PUT', 1002], ['DELETE', 1003]] as const)('%s /archives/<hostile> answers in the JSON error shape (or succeeds) and writes nothing outside the archive dir', async (method, seedOffset) => {
    let routeCases = 0;
    await fc.assert(
      fc.asyncProperty(hostileString(), fc.boolean(), async (value, raw) => {
        // Raw: the value as the request path itself when it is printable ASCII (fetch would normalize it; node:http sends it verbatim).
        const verbatim = raw && /^[\x21-\x7e]*$/.test(value);
        const requestPath = `/archives/${verbatim ? value : percentEncode(value)}`;
        // The route decodes once: a verbatim "..%2Fx.tar" names "../x.tar".
        const escapes = sandbox.escapes(verbatim ? [value, decodedOnce(value)] : [value]);
        remember(value);
        routeCases++;
        cases++;
        const answer = await sendRaw(api.baseUrl, api.tokens.root, method, requestPath, method === 'PUT' ? Buffer.alloc(1024) : undefined);
        const problems = [...archiveRouteProblems(answer, value, socketPaths()), ...sandbox.problems(escapes)];
        if (problems.length) throw new Error(`${method} ${shown(requestPath)}: ${answer.status} ${problems.join('; ')}`);
      }),
      { seed: SEED + seedOffset, numRuns: 2 * HOSTILE_STRINGS.length + RUNS * 4, examples: HOSTILE_STRINGS.flatMap((s) => [[s, true], [s, false]] as Array<[string, boolean]>), endOnFailure: true },
    );
    console.info(`hostile-input: ${method} /archives/:name, ${routeCases} cases (seed ${SEED + seedOffset}); ${cases} cases in all so far`);
  });
});

describe('after the fuzz', () => {
  it('finds no new file named after a hostile value in the temp dir or the working dir', () => {
    const newTmp = readdirSync(tmpdir()).filter((f) => !tmpBefore.has(f) && fileNames.has(f));
    const newCwd = readdirSync(process.cwd()).filter((f) => !cwdBefore.has(f) && fileNames.has(f));
    expect({ newTmp, newCwd }).toEqual({ newTmp: [], newCwd: [] });
  });
});
