/**
 * graphql-ws on the GraphQL path, under the same rules as HTTP: the Origin
 * check on the upgrade, the token in `connection_init` (4401 without a valid
 * one), the same parser and validation limits, the same context and roles,
 * the same error masking; plus limits of its own: payload size, init timeout
 * and active operations per socket. A revoked token's sockets are closed (4403).
 */
import type { IncomingMessage, Server } from 'node:http';
import { getOperationAST, GraphQLError, type GraphQLSchema, parse, specifiedRules, validate, type DocumentNode } from 'graphql';
import { CloseCode } from 'graphql-ws';
import { useServer } from 'graphql-ws/use/ws';
import { WebSocket, WebSocketServer } from 'ws';
import type { Authenticator } from '../auth/authenticator';
import { readWebSocketToken } from '../auth/credentials';
import type { Principal } from '../auth/principal';
import type { QueryLimits } from '../config';
import { createLogger, type Logger } from '../logger';
import { type MetricsRecorder, NO_METRICS } from '../metrics/recorder';
import type { Context, ContextFactory } from '../schema/context';
import { ErrorCode } from '../schema/errors';
import type { ErrorFormatter } from '../schema/format-error';
import { limitRules, parseOptions } from '../schema/limits';
import { checkRequestOrigin, type OriginGuardOptions } from './http-guard';
import { WsOperations } from './ws-operations';

/** Largest WebSocket message accepted (bytes); bigger ones close the socket (1009). */
export const WS_MAX_PAYLOAD = 1024 * 1024;

/** Settings of {@link startWebSocketServer}. */
export interface WebSocketServerOptions {
  readonly httpServer: Server;
  readonly path: string;
  readonly schema: GraphQLSchema;
  readonly contextFactory: ContextFactory;
  readonly formatError: ErrorFormatter;
  readonly authenticator: Authenticator;
  readonly origins: OriginGuardOptions;
  readonly limits: QueryLimits;
  readonly introspection: boolean;
  /** Active operations (subscriptions, and queries still running) one socket may hold. */
  readonly maxOperationsPerSocket: number;
  readonly connectionInitWaitTimeoutMs: number;
  /** Where refused connections are logged (at warn), and each finished operation (info; sockets at debug). */
  readonly log?: Logger;
  /** Sockets, subscriptions and finished operations are counted here (default: nowhere). */
  readonly metrics?: MetricsRecorder;
}

/** The running WebSocket side; dispose() closes every socket. */
export interface GraphQLWebSocketServer {
  readonly wsServer: WebSocketServer;
  dispose(): Promise<void>;
}

/** What a socket authenticated as, kept beside it for its operations' contexts and for revocation. */
const principals = new WeakMap<WebSocket, Principal>();

/** Starts graphql-ws on `options.path` of the http server. */
export function startWebSocketServer(options: WebSocketServerOptions): GraphQLWebSocketServer {
  const wsServer = new WebSocketServer({
    server: options.httpServer,
    path: options.path,
    maxPayload: WS_MAX_PAYLOAD,
    // A refused upgrade is a plain 403: no WebSocket, so no cross-site page gets a socket to drive.
    verifyClient: (info: { req: IncomingMessage }, done: (ok: boolean, code?: number, message?: string) => void) => {
      const reason = checkRequestOrigin({ origin: info.req.headers.origin, host: info.req.headers.host }, options.origins);
      if (reason === undefined) return done(true);
      // Logged like a refused HTTP request would be (the request log never sees an upgrade); header values cut short.
      const cut = (v: string | undefined) => (v === undefined ? undefined : v.slice(0, 200));
      options.log?.warn({ reason, origin: cut(info.req.headers.origin), host: cut(info.req.headers.host), remoteAddress: info.req.socket.remoteAddress, status: 403 }, 'websocket upgrade refused');
      done(false, 403, 'Forbidden');
    },
  });
  const rules = [...specifiedRules, ...limitRules(options.limits, options.introspection)];
  const parsing = parseOptions(options.limits);
  const requestError = (message: string, code: string) => [new GraphQLError(message, { extensions: { code } })];
  const operations = new WsOperations(options.metrics ?? NO_METRICS, options.log ?? createLogger('silent'));
  wsServer.on('connection', (socket: WebSocket, request: IncomingMessage) => operations.opened(socket, request));

  const cleanup = useServer<Record<string, unknown> | undefined, { socket: WebSocket; request: IncomingMessage }>(
    {
      schema: options.schema,
      connectionInitWaitTimeout: options.connectionInitWaitTimeoutMs,
      onConnect: (ctx) => {
        const outcome = options.authenticator.authenticate(readWebSocketToken(ctx.connectionParams, ctx.extra.request.headers.authorization));
        if ('refused' in outcome) {
          options.log?.warn({ auth: { transport: 'ws', remote: ctx.extra.request.socket.remoteAddress, reason: outcome.refused } }, 'authentication refused');
          // graphql-ws's own refusal would be 4403; a missing or unknown token is 4401, as over HTTP it is 401.
          ctx.extra.socket.close(CloseCode.Unauthorized, 'Unauthorized');
          return false;
        }
        principals.set(ctx.extra.socket, outcome.principal);
        return true;
      },
      onSubscribe: (ctx, id, payload) => {
        const requestId = operations.started(ctx.extra.socket, id, payload.operationName);
        // ctx.subscriptions already holds this operation.
        if (Object.keys(ctx.subscriptions).length > options.maxOperationsPerSocket) {
          return requestError(`this socket already has ${options.maxOperationsPerSocket} active operations (DOCKQL_WS_MAX_SUBSCRIPTIONS): complete some, or open another socket`, ErrorCode.RATE_LIMITED);
        }
        let document: DocumentNode;
        try {
          document = parse(payload.query, parsing);
        } catch (err) {
          return requestError(err instanceof GraphQLError ? err.message : 'the query cannot be parsed', 'GRAPHQL_PARSE_FAILED');
        }
        // Named and typed before validation, so that refused documents are counted by name too.
        const operation = getOperationAST(document, payload.operationName);
        operations.identified(ctx.extra.socket, id, operation?.operation, operation?.name?.value);
        const errors = validate(options.schema, document, rules);
        if (errors.length > 0) return errors.map((e) => new GraphQLError(e.message, { nodes: e.nodes, extensions: { ...e.extensions, code: e.extensions.code ?? 'GRAPHQL_VALIDATION_FAILED' } }));
        const principal = principals.get(ctx.extra.socket);
        if (!principal) return requestError('the connection is not authenticated', ErrorCode.UNAUTHENTICATED);
        const contextValue: Context = options.contextFactory({ principal, requestId });
        return { schema: options.schema, document, variableValues: payload.variables, operationName: payload.operationName, contextValue };
      },
      // A stream (subscription) keeps running until onComplete.
      onOperation: (ctx, id, _payload, _args, result) => {
        operations.executing(ctx.extra.socket, id, Symbol.asyncIterator in result);
      },
      // The same masking as HTTP: results and request errors go through formatError.
      onNext: (ctx, id, _payload, _args, result) => {
        if (!result.errors?.length) return result;
        const formatted = { ...result, errors: result.errors.map((e) => options.formatError(e.toJSON(), e)) };
        operations.result(ctx.extra.socket, id, formatted.errors);
        return formatted;
      },
      onError: (ctx, id, _payload, errors) => {
        const formatted = errors.map((e) => {
          const code = e.extensions?.code ?? 'GRAPHQL_VALIDATION_FAILED';
          return options.formatError(new GraphQLError(e.message, { nodes: e.nodes, positions: e.positions, path: e.path, extensions: { ...e.extensions, code } }).toJSON(), e);
        });
        operations.failed(ctx.extra.socket, id, formatted);
        return formatted;
      },
      onComplete: (ctx, id) => {
        operations.completed(ctx.extra.socket, id);
      },
    },
    wsServer,
  );

  // A token taken out of the tokens file ends its sockets at once, not at their next operation.
  const stopRevoking = options.authenticator.tokens?.onRevoke((revoked) => {
    for (const socket of wsServer.clients) {
      const hash = principals.get(socket)?.tokenSha256;
      if (hash !== undefined && revoked.has(hash)) socket.close(CloseCode.Forbidden, 'Forbidden: token revoked');
    }
  });

  return {
    wsServer,
    async dispose() {
      stopRevoking?.();
      await cleanup.dispose();
    },
  };
}
