/** `dockql images`: the docker images table, or the raw data as JSON. */
import { listOption } from '../args';
import { type Command, println } from '../command';
import { booleanFilter, parseFilters, single } from '../filters';
import { IMAGE_HEADER, imagesTableRows } from '../format/rows';
import { renderTable } from '../format/table';
import { truncateId } from '../format/text';
import type { ImageData } from '../types';

const QUERY = `query DockqlImages($filter: ImageFilter) {
  images(filter: $filter) { id shortId repoTags repoDigests created size dangling labels { key value } }
}`;

const FILTER_KEYS = ['reference', 'dangling', 'label'] as const;

export const imagesCommand: Command = {
  name: 'images',
  summary: 'List images',
  usage: '[OPTIONS]',
  description: 'Lists the images on the Docker host with the columns of `docker images`; --json prints the data as the API returns it, for scripts.',
  options: {
    filter: { type: 'string', short: 'f', multiple: true, value: 'KEY=VALUE', description: `Filter like docker: ${FILTER_KEYS.join('=, ')}= (repeatable)` },
    quiet: { type: 'boolean', short: 'q', description: 'Only image ids' },
    'no-trunc': { type: 'boolean', description: 'Full image ids' },
    json: { type: 'boolean', description: 'Print the images as JSON' },
  },
  args: { min: 0, max: 0, name: '' },
  examples: ['dockql images', 'dockql images -f reference=busybox*', 'dockql images --json | jq -r ".[].repoTags[]"'],
  async run(ctx, { values }) {
    const filters = parseFilters(listOption(values, 'filter'), FILTER_KEYS, 'dockql images');
    const filter = {
      reference: single(filters, 'reference', 'dockql images') ?? null,
      dangling: booleanFilter(single(filters, 'dangling', 'dockql images'), 'dangling', 'dockql images') ?? null,
      labels: filters.get('label') ?? null,
    };
    const { images } = await ctx.api.request<{ images: ImageData[] }>(QUERY, { filter });
    if (values.json) return println(ctx, JSON.stringify(images, null, 2));
    const noTrunc = values['no-trunc'] === true;
    if (values.quiet) {
      for (const id of new Set(images.map((image) => (noTrunc ? image.id : truncateId(image.id))))) println(ctx, id);
      return;
    }
    for (const line of renderTable(IMAGE_HEADER, imagesTableRows(images, new Date(), !noTrunc))) println(ctx, line);
  },
};
