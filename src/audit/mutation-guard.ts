/**
 * Rate limit and audit for every top-level mutation field, over HTTP and
 * WebSocket alike (they share the schema and the context factory), and for
 * the subscriptions that act rather than watch (those needing more than
 * viewer, such as execOutput, which runs a command): their start is audited
 * and spends the budget like a mutation.
 *
 * Applied by wrapping each Mutation field's resolver in the built schema, not
 * as a type-graphql global middleware, for two reasons: type-graphql runs its
 * @Authorized check before any global middleware, so a middleware would never
 * see a FORBIDDEN refusal to audit it; and a global middleware runs for every
 * field of every query (each becomes an async chain: a 5,000-object query went
 * from 42 to 478 ms in a measurement), although only mutations are of interest.
 */
import { defaultFieldResolver, type GraphQLFieldResolver, type GraphQLSchema } from 'graphql';
import type { Principal } from '../auth/principal';
import { enforceRateLimit, type RateLimiter } from '../auth/rate-limiter';
import { ROLE_EXTENSION } from '../auth/roles';
import type { Logger } from '../logger';
import { type AuditedJob, elapsedMs, jobsIn, jobsOutcome, outcomeOf, who, writeAudit } from './audit-log';
import { redactArgs } from './redact-args';

/** What the guard needs of the GraphQL context (a subset of Context). */
export interface GuardContext {
  readonly requestId: string;
  readonly principal: Principal;
  readonly log: Logger;
  readonly rateLimiter: RateLimiter;
}

/**
 * Wraps every field of the Mutation type: first the caller's rate limit
 * (each field of a document counts once, aliases included), then the field
 * (type-graphql's role check, then the resolver), then one audit line with
 * the outcome. Subscriptions needing more than viewer get the same around
 * their `subscribe` (the start of the stream). Returns the same schema, changed in place.
 */
export function guardMutations(schema: GraphQLSchema): GraphQLSchema {
  for (const field of Object.values(schema.getMutationType()?.getFields() ?? {})) {
    field.resolve = guarded('mutation', field.resolve ?? defaultFieldResolver);
  }
  for (const field of Object.values(schema.getSubscriptionType()?.getFields() ?? {})) {
    const role = field.extensions[ROLE_EXTENSION];
    if (field.subscribe && role !== undefined && role !== 'viewer') field.subscribe = guarded('subscription', field.subscribe);
  }
  return schema;
}

function guarded(kind: 'mutation' | 'subscription', resolve: GraphQLFieldResolver<unknown, GuardContext>): GraphQLFieldResolver<unknown, GuardContext> {
  return async (root, args, ctx, info) => {
    const startedAt = performance.now();
    const audit = (outcome: string, jobs: AuditedJob[] = []) =>
      writeAudit(ctx.log, {
        kind,
        operation: info.fieldName,
        ...who(ctx.principal),
        args: redactArgs(args),
        outcome,
        ...(jobs.length ? { jobs } : {}),
        ms: elapsedMs(startedAt),
        requestId: ctx.requestId,
      });
    try {
      enforceRateLimit(ctx.rateLimiter, ctx.principal);
      const result: unknown = await resolve(root, args, ctx, info);
      // A pull with a wrong password answers a FAILED job, not an error: the line must not say ok.
      const jobs = jobsIn(result);
      audit(jobsOutcome(jobs), jobs);
      return result;
    } catch (err) {
      audit(outcomeOf(err));
      throw err;
    }
  };
}
