/**
 * How a subscription ends abnormally without closing the socket (the contract):
 * its source yields one `{ error }` envelope last; the subscription's resolver
 * unwraps it, so graphql-js turns it into one result carrying
 * `errors[].extensions.code`, and graphql-ws then completes that subscription
 * alone.
 */
import type { GraphQLError } from 'graphql';

/** One event of a subscription source: a value, or the error that ends it. */
export type Envelope<T> = { readonly value: T } | { readonly error: GraphQLError };

/** For the subscription's resolver: the value, or throw the ending error. */
export function unwrap<T>(envelope: Envelope<T>): T {
  if ('error' in envelope) throw envelope.error;
  return envelope.value;
}

/**
 * Wraps a source: its values as envelopes; when it throws, one `{ error }`
 * envelope (from `toError`) and the end, instead of an exception that would
 * tear down the whole operation.
 */
export async function* enveloped<T>(source: AsyncIterable<T>, toError: (err: unknown) => GraphQLError): AsyncGenerator<Envelope<T>> {
  try {
    for await (const value of source) yield { value };
  } catch (err) {
    yield { error: toError(err) };
  }
}
