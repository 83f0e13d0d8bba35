import { RequiresRole } from '../../auth/roles';
import { Arg, Ctx, FieldResolver, Int, Resolver, Root, Subscription, type SubscribeResolverData } from 'type-graphql';
import { type Envelope, unwrap } from '../../streams/envelope';
import { Container } from '../container/container.type';
import type { Context } from '../context';
import { DateTimeScalar } from '../scalars';
import { LogLine } from './log.type';

/** Container logs: the last lines as a field, and `docker logs -f` as a subscription. */
@Resolver(() => Container)
export class ContainerLogsResolver {
  @FieldResolver(() => [LogLine], {
    description:
      'The last lines of its log, oldest first: stdout and stderr told apart (for containers without a TTY), each with its time, like `docker logs --timestamps --tail N`. Costs one daemon request per container it is asked of; at most 16 Mi characters per container (older lines dropped beyond).',
  })
  logs(
    @Root() container: Container,
    @Arg('tail', () => Int, { nullable: true, defaultValue: 100, description: 'How many of the last lines (0 to 10000; null means 100). The daemon counts log messages: a line over 16 KiB counts as several.' }) tail: number | null,
    @Arg('since', () => DateTimeScalar, { nullable: true, description: 'Only lines logged at or after this time, like `docker logs --since`.' }) since: Date | null,
    @Ctx() ctx: Context,
  ): Promise<LogLine[]> {
    return ctx.services.logs.lines(container, tail, since);
  }

  @RequiresRole('viewer')
  @Subscription(() => LogLine, {
    description:
      'Follow a container\'s log lines, like `docker logs -f`: the last `tail` lines, then each new line as it is written, completing when the container stops (at once for a stopped one). An unknown container ends with one NOT_FOUND error. A slow subscriber slows the reading, it loses nothing.',
    subscribe: ({ args, context }: SubscribeResolverData<unknown, { ref: string; tail: number | null; since: Date | null }, Context>) =>
      context.services.logs.follow(args.ref, args.tail, args.since),
  })
  containerLogs(
    @Root() line: Envelope<LogLine>,
    @Arg('ref', { description: 'The container: full id, unique id prefix, or name.' }) _ref: string,
    @Arg('tail', () => Int, { nullable: true, defaultValue: 0, description: 'How many earlier lines to send first (0 to 10000; null means 0: only new lines).' }) _tail: number | null,
    @Arg('since', () => DateTimeScalar, { nullable: true, description: 'Send earlier lines only from this time on, like `docker logs -f --since`.' }) _since: Date | null,
  ): LogLine {
    return unwrap(line);
  }
}
