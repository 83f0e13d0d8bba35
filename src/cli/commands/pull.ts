/** `dockql pull REF`: start a pull on the server and follow it, bars on a terminal, lines elsewhere. */
import { stringOption } from '../args';
import { type Command, println } from '../command';
import { CliError } from '../errors';
import { pullSummaryLines } from '../progress/lines';
import { PullBarsReporter } from '../progress/pull-bars';
import { PullPlainReporter } from '../progress/pull-plain';
import { isFinal, type PullData } from '../types';

const PULL_FIELDS = 'id ref pulledRef mirror status current total message error digest layers { id status current total } image { id repoTags } startedAt finishedAt';

const START = `mutation DockqlPull($ref: String!, $mirror: String, $platform: String) {
  pullImage(ref: $ref, mirror: $mirror, platform: $platform, wait: false) { ${PULL_FIELDS} }
}`;

const FOLLOW = `subscription DockqlPullProgress($id: ID!) { pullProgress(id: $id) { ${PULL_FIELDS} } }`;

export const pullCommand: Command = {
  name: 'pull',
  summary: 'Pull an image, with live progress',
  usage: '[OPTIONS] REF',
  description:
    'Starts a pull on the server (pullImage) and follows it (pullProgress): one bar per layer and a total on a terminal, ' +
    'plain lines otherwise. Exits 1 with the daemon\'s message when the pull fails. Interrupting stops following only: the pull goes on on the server.',
  options: {
    mirror: { type: 'string', value: 'MIRROR', description: 'Pull a Docker Hub image through this mirror, host[:port][/prefix]' },
    platform: { type: 'string', value: 'PLATFORM', description: 'os[/arch[/variant]], e.g. linux/arm64 (default: the daemon\'s own)' },
  },
  args: { min: 1, max: 1, name: 'REF' },
  examples: ['dockql pull busybox:1.36', 'dockql pull --mirror mirror.local:5000 nginx:1.27', 'dockql pull 127.0.0.1:5000/team/app:1 > pull.log'],
  async run(ctx, { values, positionals }) {
    const variables = { ref: positionals[0], mirror: stringOption(values, 'mirror') ?? null, platform: stringOption(values, 'platform') ?? null };
    const { pullImage: job } = await ctx.api.request<{ pullImage: PullData }>(START, variables);
    const reporter = ctx.stdout.isTTY ? new PullBarsReporter(ctx.stdout) : new PullPlainReporter((line) => println(ctx, line));
    ctx.onInterrupt(() => {
      reporter.stop();
      ctx.stderr.write(`dockql: stopped following; the pull goes on on the server (job ${job.id}; cancelPull stops it)\n`);
    });
    let last = job;
    try {
      // The subscription starts with a snapshot, so the first state is drawn from it.
      for await (const data of ctx.api.subscribe<{ pullProgress: PullData }>(FOLLOW, { id: job.id })) {
        last = data.pullProgress;
        reporter.update(last);
      }
    } finally {
      reporter.stop();
    }
    if (!isFinal(last.status)) throw new CliError(`the server ended the progress stream before the pull ended (job ${job.id})`);
    if (last.status !== 'SUCCEEDED') throw new CliError(`pull ${last.status === 'CANCELED' ? 'canceled' : 'failed'}: ${last.error ?? 'no reason given'}`);
    const elapsed = Date.parse(last.finishedAt ?? new Date().toISOString()) - Date.parse(last.startedAt);
    for (const line of pullSummaryLines(last, elapsed)) println(ctx, line);
  },
};
