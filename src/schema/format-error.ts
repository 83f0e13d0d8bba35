/**
 * One error policy for HTTP and WebSocket: errors the API raised on purpose
 * (DockqlError, Apollo's request errors) pass as they are; anything else is a
 * bug, logged on the server and masked for the client, unless in development.
 */
import { unwrapResolverError } from '@apollo/server/errors';
import type { GraphQLFormattedError } from 'graphql';
import type { Logger } from '../logger';
import { DockqlError, ErrorCode, isPublicCode } from './errors';

/** Formats one error for a client. */
export type ErrorFormatter = (formatted: GraphQLFormattedError, error: unknown) => GraphQLFormattedError;

/**
 * Builds the formatter; `development` keeps stacks and unmasked messages,
 * `hideSuggestions` drops graphql-js's "Did you mean ...?" hints (production:
 * they spell out the schema to anyone guessing at it).
 */
export function createErrorFormatter(options: { development: boolean; log: Logger; hideSuggestions?: boolean }): ErrorFormatter {
  return (formatted, error) => {
    const original = unwrapResolverError(error);
    const code = formatted.extensions?.code;
    const expected = original instanceof DockqlError || (isPublicCode(code) && code !== ErrorCode.INTERNAL_SERVER_ERROR);
    if (expected) {
      const shown = options.development ? formatted : withoutStack(formatted);
      return options.hideSuggestions ? { ...shown, message: withoutSuggestions(shown.message) } : shown;
    }
    options.log.error({ err: original, path: formatted.path }, 'unexpected error in a GraphQL operation');
    if (options.development) return formatted;
    return {
      message: 'Internal server error',
      locations: formatted.locations,
      path: formatted.path,
      extensions: { code: ErrorCode.INTERNAL_SERVER_ERROR },
    };
  };
}

/** The message without graphql-js's trailing "Did you mean ...?" (the same pattern Apollo's hideSchemaDetailsFromClientErrors removes). */
export function withoutSuggestions(message: string): string {
  return message.replace(/ ?Did you mean(.+?)\?$/, '');
}

function withoutStack(formatted: GraphQLFormattedError): GraphQLFormattedError {
  if (!formatted.extensions || !('stacktrace' in formatted.extensions)) return formatted;
  const { stacktrace: _dropped, ...extensions } = formatted.extensions;
  return { ...formatted, extensions };
}
