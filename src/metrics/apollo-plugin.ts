/** Counts and times GraphQL operations over HTTP, as one Apollo Server plugin. */
import type { ApolloServerPlugin, BaseContext } from '@apollo/server';
import { getOperationAST } from 'graphql';
import { outcomeLabel } from './labels';
import type { MetricsRecorder } from './recorder';

/**
 * Records each HTTP operation once its response is ready: its name (as the
 * document or the request names it), type, outcome and duration. A document
 * that parsed but failed validation is still named and typed from its text.
 * Requests refused before Apollo (no token, a body over the limit) are not operations.
 */
export function operationMetricsPlugin<TContext extends BaseContext>(metrics: MetricsRecorder): ApolloServerPlugin<TContext> {
  return {
    async requestDidStart() {
      const started = performance.now();
      return {
        async willSendResponse({ operation, document, request, response }) {
          const body = response.body;
          const errors = body.kind === 'single' ? body.singleResult.errors : body.initialResult.errors;
          // Apollo resolves `operation` only after validation passed.
          const resolved = operation ?? (document ? getOperationAST(document, request.operationName) : null);
          metrics.operation({
            name: resolved?.name?.value ?? request.operationName,
            type: resolved?.operation,
            transport: 'http',
            outcome: outcomeLabel(errors),
            seconds: (performance.now() - started) / 1000,
          });
        },
      };
    },
  };
}
