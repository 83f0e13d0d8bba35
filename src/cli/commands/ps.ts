/** `dockql ps [-a]`: the docker ps table, or the raw data as JSON. */
import { listOption } from '../args';
import { type Command, println } from '../command';
import { UsageError } from '../errors';
import { parseFilters, single } from '../filters';
import { CONTAINER_HEADER, containerRow } from '../format/rows';
import { renderTable } from '../format/table';
import { commandCell } from '../format/text';
import type { ContainerData } from '../types';

const QUERY = `query DockqlPs($filter: ContainerFilter) {
  containers(filter: $filter) {
    id shortId name imageRef command created state status
    ports { ip privatePort publicPort type }
    labels { key value }
  }
}`;

const FILTER_KEYS = ['name', 'label', 'status', 'ancestor'] as const;
const STATES = ['created', 'restarting', 'running', 'removing', 'paused', 'exited', 'dead'];
/** `docker ps` without -a: the daemon's "running" containers, which include paused and restarting ones. */
const RUNNING_STATES = ['RUNNING', 'PAUSED', 'RESTARTING'];

export const psCommand: Command = {
  name: 'ps',
  summary: 'List containers',
  usage: '[OPTIONS]',
  description: 'Lists containers with the columns of `docker ps`: running ones, or all with -a; --json prints the data as the API returns it, for scripts.',
  options: {
    all: { type: 'boolean', short: 'a', description: 'Show all containers (default: running ones)' },
    filter: { type: 'string', short: 'f', multiple: true, value: 'KEY=VALUE', description: `Filter like docker: ${FILTER_KEYS.join('=, ')}= (repeatable)` },
    quiet: { type: 'boolean', short: 'q', description: 'Only container ids' },
    'no-trunc': { type: 'boolean', description: 'Full ids and commands' },
    json: { type: 'boolean', description: 'Print the containers as JSON' },
  },
  args: { min: 0, max: 0, name: '' },
  examples: ['dockql ps', 'dockql ps -a -f status=exited', 'dockql ps --json | jq -r ".[].name"'],
  async run(ctx, { values }) {
    const filters = parseFilters(listOption(values, 'filter'), FILTER_KEYS, 'dockql ps');
    const statuses = filters.get('status')?.map((s) => s.toLowerCase());
    const unknown = statuses?.find((s) => !STATES.includes(s));
    if (unknown !== undefined) throw new UsageError(`dockql ps: unknown status ${JSON.stringify(unknown)} (one of ${STATES.join(', ')})`);
    // As with docker, a status filter looks at every container.
    const states = statuses?.map((s) => s.toUpperCase()) ?? (values.all ? null : RUNNING_STATES);
    const filter = {
      states,
      name: single(filters, 'name', 'dockql ps') ?? null,
      ancestor: single(filters, 'ancestor', 'dockql ps') ?? null,
      labels: filters.get('label') ?? null,
    };
    const { containers } = await ctx.api.request<{ containers: ContainerData[] }>(QUERY, { filter });
    if (values.json) return println(ctx, JSON.stringify(containers, null, 2));
    const noTrunc = values['no-trunc'] === true;
    if (values.quiet) {
      for (const c of containers) println(ctx, noTrunc ? c.id : c.shortId);
      return;
    }
    const now = new Date();
    const rows = containers.map((c) => {
      const row = containerRow(c, now);
      return noTrunc ? [c.id, c.imageRef, commandCell(c.command, false), ...row.slice(3)] : row;
    });
    for (const line of renderTable(CONTAINER_HEADER, rows)) println(ctx, line);
  },
};
