/**
 * One http.Server, one port, two protocols: Apollo on `POST /graphql`, graphql-ws
 * on WebSocket upgrades of `/graphql`, with the same schema, context factory and
 * error policy; GraphiQL on `GET /graphql` for browsers; health routes.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { ApolloServer } from '@apollo/server';
import { ApolloServerPluginLandingPageDisabled } from '@apollo/server/plugin/disabled';
import { ApolloServerPluginDrainHttpServer } from '@apollo/server/plugin/drainHttpServer';
import { expressMiddleware } from '@as-integrations/express5';
import express from 'express';
import { GraphQLError } from 'graphql';
import { useServer } from 'graphql-ws/use/ws';
import { WebSocketServer } from 'ws';
import { ArchiveStore } from './archive/store';
import { archiveRouter } from './archive/routes';
import type { Config } from './config';
import { DockerClient } from './docker/client';
import { openEventStream } from './docker/events';
import { healthRouter } from './health';
import type { Logger } from './logger';
import { playgroundRouter } from './playground/playground';
import { buildDockqlSchema } from './schema/build';
import { type Context, createContextFactory } from './schema/context';
import { createErrorFormatter } from './schema/format-error';
import { TransferJobs } from './streams/transfer-jobs';
import { DaemonEventHub } from './streams/daemon-events';

/** The GraphQL endpoint, for HTTP and WebSocket alike. */
export const GRAPHQL_PATH = '/graphql';

/** Largest GraphQL request body accepted over HTTP. */
const MAX_BODY = '1mb';

/** A running (or ready to run) dockql server. */
export interface App {
  readonly httpServer: Server;
  readonly docker: DockerClient;
  /** The shared daemon event stream (its stats() tell tests and benches how many subscribers and connections). */
  readonly eventHub: DaemonEventHub;
  /** Starts listening on the configured host and port; resolves with the bound address. */
  listen(): Promise<AddressInfo>;
  /** http://host:port of the bound server. */
  url(): string;
  /** Stops accepting, drains HTTP requests, closes WebSockets and daemon streams. Idempotent. */
  stop(): Promise<void>;
}

/** Builds the server without listening yet. */
export async function createApp(config: Config, log: Logger, docker = new DockerClient(config.docker, { revealEndpoint: config.development })): Promise<App> {
  const schema = await buildDockqlSchema();
  const jobs = new TransferJobs({ retentionMs: config.jobRetentionMs, maxFinished: config.jobHistory });
  const archiveJobs = new TransferJobs({ retentionMs: config.jobRetentionMs, maxFinished: config.jobHistory });
  // One daemon /events connection for the whole process: opened for the first subscriber, closed after the last.
  const eventHub = new DaemonEventHub({ open: ({ since, signal }) => openEventStream(docker, { since, signal }), bufferSize: config.subscriberBuffer, log: log.child({ component: 'events' }) });
  const archives = await ArchiveStore.open(config.archiveDir, { log });
  const contextFactory = createContextFactory({ docker, log, jobs, archiveJobs, searchTimeoutMs: config.searchTimeoutMs, eventHub, archives });
  const formatError = createErrorFormatter({ development: config.development, log });

  const app = express();
  app.disable('x-powered-by');
  const httpServer = createServer(app);

  const wsServer = new WebSocketServer({ server: httpServer, path: GRAPHQL_PATH });
  const wsCleanup = useServer<Record<string, unknown>, Record<string, unknown>>(
    {
      schema,
      context: (): Context => contextFactory(),
      // The same masking as HTTP: results and validation errors go through formatError.
      onNext: (_ctx, _id, _payload, _args, result) => {
        if (!result.errors?.length) return result;
        return { ...result, errors: result.errors.map((e) => formatError(e.toJSON(), e)) };
      },
      onError: (_ctx, _id, _payload, errors) =>
        errors.map((e) => {
          const code = e.extensions?.code ?? 'GRAPHQL_VALIDATION_FAILED';
          return new GraphQLError(e.message, { nodes: e.nodes, positions: e.positions, path: e.path, extensions: { ...e.extensions, code } });
        }),
    },
    wsServer,
  );

  const apollo = new ApolloServer<Context>({
    schema,
    formatError,
    includeStacktraceInErrorResponses: config.development,
    allowBatchedHttpRequests: false,
    csrfPrevention: true,
    // main.ts owns SIGTERM/SIGINT; Apollo's own handler would re-raise the signal and kill the process mid-drain.
    stopOnTerminationSignals: false,
    plugins: [
      ApolloServerPluginDrainHttpServer({ httpServer }),
      ApolloServerPluginLandingPageDisabled(),
      { async serverWillStart() { return { async drainServer() { await wsCleanup.dispose(); } }; } },
    ],
  });
  await apollo.start();

  app.use(healthRouter(docker));
  app.use(playgroundRouter({ graphqlPath: GRAPHQL_PATH }));
  app.use(archiveRouter(archives, { maxUploadBytes: config.maxUploadBytes, log }));
  app.use(
    GRAPHQL_PATH,
    express.json({ limit: MAX_BODY }),
    expressMiddleware(apollo, { context: async ({ req }) => contextFactory({ requestId: safeRequestId(req.get('x-request-id')) }) }),
  );

  let stopping: Promise<void> | undefined;
  return {
    httpServer,
    docker,
    eventHub,
    listen: () =>
      new Promise<AddressInfo>((resolve, reject) => {
        httpServer.once('error', reject);
        httpServer.listen(config.port, config.host, () => {
          httpServer.off('error', reject);
          resolve(httpServer.address() as AddressInfo);
        });
      }),
    url() {
      const address = httpServer.address() as AddressInfo;
      const host = address.family === 'IPv6' ? `[${address.address}]` : address.address;
      return `http://${host}:${address.port}`;
    },
    stop() {
      stopping ??= (async () => {
        // Running jobs end as CANCELED first, so that their subscribers get a final state before the sockets close.
        await Promise.all([jobs.dispose(), archiveJobs.dispose()]);
        // Event subscriptions complete (and the daemon stream closes) while their sockets are still open.
        await eventHub.dispose();
        // Apollo's drain plugin closes the http server and then the graphql-ws server.
        await apollo.stop();
        wsServer.close();
        await archives.dispose();
      })();
      return stopping;
    },
  };
}

/** A caller's X-Request-Id, kept only when it is short and plain (it goes into logs). */
function safeRequestId(value: string | undefined): string | undefined {
  return value && /^[A-Za-z0-9._:-]{1,128}$/.test(value) ? value : undefined;
}
