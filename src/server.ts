/**
 * One http.Server, one port, two protocols: Apollo on `POST /graphql`, graphql-ws
 * on WebSocket upgrades of `/graphql`, with the same schema, context factory,
 * tokens, limits and error policy; GraphiQL on `GET /graphql` for browsers;
 * archive transfer routes; health routes (public).
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { ApolloServer } from '@apollo/server';
import { ApolloServerPluginLandingPageDisabled } from '@apollo/server/plugin/disabled';
import { ApolloServerPluginDrainHttpServer } from '@apollo/server/plugin/drainHttpServer';
import { expressMiddleware } from '@as-integrations/express5';
import express from 'express';
import { ArchiveStore } from './archive/store';
import { ARCHIVES_PATH } from './archive/names';
import { archiveRouter } from './archive/routes';
import { Authenticator } from './auth/authenticator';
import { checkExposure } from './auth/exposure';
import { TokenStore } from './auth/token-store';
import { RateLimiter } from './auth/rate-limiter';
import { archiveAudit } from './audit/archive-audit';
import type { Config } from './config';
import { DockerClient } from './docker/client';
import { openEventStream } from './docker/events';
import { healthRouter } from './health';
import type { Logger } from './logger';
import { operationMetricsPlugin } from './metrics/apollo-plugin';
import { archiveTransferBytes, METRICS_PATH, metricsHandler } from './metrics/http';
import { Metrics } from './metrics/metrics';
import { playgroundRouter } from './playground/playground';
import { buildDockqlSchema } from './schema/build';
import { type Context, createContextFactory } from './schema/context';
import { createErrorFormatter } from './schema/format-error';
import { limitRules, parseOptions } from './schema/limits';
import { authenticate, type ErrorStyle, principalOf, requestOriginGuard, requireRole } from './transport/http-guard';
import { requestIdOf, requestLog } from './transport/request-log';
import { answerClientErrors } from './transport/client-errors';
import { deferContinueForUploads } from './transport/expect-continue';
import { startWebSocketServer } from './transport/ws-server';
import { type TransferJob, TransferJobs } from './streams/transfer-jobs';
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
  /** Re-reads the tokens file (SIGHUP); a no-op without one. */
  reloadTokens(): Promise<void>;
  /** Stops accepting, drains HTTP requests, closes WebSockets and daemon streams. Idempotent. */
  stop(): Promise<void>;
}

/** The least role of each archive route's method: reading is viewing, writing operates, deleting is admin's. */
function archiveRouteRole(method: string): 'viewer' | 'operator' | 'admin' {
  if (method === 'GET' || method === 'HEAD') return 'viewer';
  return method === 'DELETE' ? 'admin' : 'operator';
}

/** Builds the server without listening yet. */
export async function createApp(config: Config, log: Logger, docker = new DockerClient(config.docker, { revealEndpoint: config.development })): Promise<App> {
  checkExposure(config, log);
  const schema = await buildDockqlSchema();
  const tokens = config.tokensFile === undefined ? undefined : await TokenStore.open(config.tokensFile, log.child({ component: 'tokens' }));
  const authenticator = new Authenticator(tokens);
  // This app's own registry (src/metrics/): fed through hooks, so that the modules it counts never import prom-client.
  const metrics = new Metrics();
  const stopCountingDaemonRequests = docker.onRequest((request) => metrics.daemonRequest(request));
  const jobHooks = { onFinished: (job: TransferJob) => metrics.jobFinished(job) };
  const jobs = new TransferJobs({ retentionMs: config.jobRetentionMs, maxFinished: config.jobHistory }, jobHooks);
  const archiveJobs = new TransferJobs({ retentionMs: config.jobRetentionMs, maxFinished: config.jobHistory }, jobHooks);
  metrics.watchJobs(jobs);
  metrics.watchJobs(archiveJobs);
  // One daemon /events connection for the whole process: opened for the first subscriber, closed after the last.
  const eventHub = new DaemonEventHub({ open: ({ since, signal }) => openEventStream(docker, { since, signal }), bufferSize: config.subscriberBuffer, log: log.child({ component: 'events' }), onReconnected: () => metrics.eventStreamReconnected() });
  const archives = await ArchiveStore.open(config.archiveDir, { log, directIo: config.archiveDirectIo });
  // One mutation budget per token for the whole process: GraphQL over HTTP and WebSocket, and archive uploads and deletes.
  const rateLimiter = new RateLimiter({ ratePerSecond: config.rateLimitPerSecond, burst: config.rateBurst });
  const contextFactory = createContextFactory({ docker, log, jobs, archiveJobs, searchTimeoutMs: config.searchTimeoutMs, eventHub, archives, allowedRegistries: config.allowedRegistries, rateLimiter });
  const formatError = createErrorFormatter({ development: config.development, log, hideSuggestions: config.production });
  const origins = {
    allowedOrigins: config.allowedOrigins,
    // Without tokens (and without DOCKQL_INSECURE) only loopback Host names are answered: see hostIsLocal.
    localOnlyBindHost: tokens === undefined && !config.insecure ? config.host : undefined,
  };

  const app = express();
  app.disable('x-powered-by');
  const httpServer = createServer(app);
  deferContinueForUploads(httpServer);
  answerClientErrors(httpServer);

  const ws = startWebSocketServer({
    httpServer,
    path: GRAPHQL_PATH,
    schema,
    contextFactory,
    formatError,
    authenticator,
    origins,
    limits: config.limits,
    introspection: config.introspection,
    maxOperationsPerSocket: config.wsMaxSubscriptions,
    connectionInitWaitTimeoutMs: config.wsInitTimeoutMs,
    log,
    metrics,
  });

  const apollo = new ApolloServer<Context>({
    schema,
    formatError,
    includeStacktraceInErrorResponses: config.development,
    introspection: config.introspection,
    hideSchemaDetailsFromClientErrors: config.production,
    // Apollo adds its own introspection rule when `introspection` is false.
    validationRules: limitRules(config.limits, true),
    parseOptions: parseOptions(config.limits),
    allowBatchedHttpRequests: false,
    csrfPrevention: true,
    // main.ts owns SIGTERM/SIGINT; Apollo's own handler would re-raise the signal and kill the process mid-drain.
    stopOnTerminationSignals: false,
    plugins: [
      ApolloServerPluginDrainHttpServer({ httpServer }),
      ApolloServerPluginLandingPageDisabled(),
      operationMetricsPlugin(metrics),
      { async serverWillStart() { return { async drainServer() { await ws.dispose(); } }; } },
    ],
  });
  await apollo.start();

  // First: every response carries X-Request-Id, and every request gets its log line.
  app.use(requestLog(log.child({ component: 'http' })));
  // Public: probes carry no host data.
  app.use(healthRouter(docker));
  const styleOf = (req: express.Request): ErrorStyle => (req.path.startsWith(GRAPHQL_PATH) ? 'graphql' : 'json');
  app.use(requestOriginGuard(origins, styleOf));
  // Public too (the page and its assets carry no host data), but off with introspection (production).
  if (config.introspection) app.use(playgroundRouter({ graphqlPath: GRAPHQL_PATH }));
  // Series names and counts are host data too (image pulls, archive traffic): viewers may scrape.
  app.get(METRICS_PATH, authenticate(authenticator, 'json', log), requireRole('viewer', 'json'), metricsHandler(metrics));
  app.use(ARCHIVES_PATH, archiveTransferBytes(metrics));
  // The audit line (and rate limit) sits between the token and the role check, so that refusals are audited too.
  app.use(ARCHIVES_PATH, authenticate(authenticator, 'json', log), archiveAudit({ log, rateLimiter }), requireRole((req) => archiveRouteRole(req.method), 'json'));
  app.use(archiveRouter(archives, { maxUploadBytes: config.maxUploadBytes, log }));
  app.use(
    GRAPHQL_PATH,
    authenticate(authenticator, 'graphql', log),
    express.json({ limit: MAX_BODY }),
    expressMiddleware(apollo, { context: async ({ req, res }) => contextFactory({ requestId: requestIdOf(res), principal: principalOf(res) }) }),
  );
  app.use(GRAPHQL_PATH, graphqlBodyErrors);

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
    reloadTokens: async () => {
      await tokens?.reload();
    },
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
        ws.wsServer.close();
        tokens?.dispose();
        stopCountingDaemonRequests();
        await archives.dispose();
      })();
      return stopping;
    },
  };
}

/** Errors of the body parser (over 1 MB: 413; broken JSON: 400) answered as GraphQL errors, not Express's HTML page. */
function graphqlBodyErrors(err: { status?: number; type?: string }, _req: express.Request, res: express.Response, next: express.NextFunction): void {
  if (res.headersSent || typeof err?.status !== 'number' || err.status < 400 || err.status >= 500) return next(err);
  const tooLarge = err.status === 413;
  res.status(err.status).json({
    errors: [{ message: tooLarge ? `request body over the ${MAX_BODY} limit` : 'request body is not valid JSON', extensions: { code: 'BAD_REQUEST' } }],
  });
}
