/** The HTTP side of metrics: the `/metrics` route and the byte count of archive downloads and uploads. */
import type { RequestHandler } from 'express';
import { ARCHIVE_BYTES_LOCAL } from '../audit/archive-audit';
import type { Metrics } from './metrics';
import type { MetricsRecorder } from './recorder';

/** Where Prometheus scrapes. */
export const METRICS_PATH = '/metrics';

/** `GET /metrics`: the Prometheus text exposition. Put the token and role checks in front of it. */
export function metricsHandler(metrics: Metrics): RequestHandler {
  return async (_req, res) => {
    const { contentType, body } = await metrics.exposition();
    res.set('Content-Type', contentType).set('Cache-Control', 'no-store').send(body);
  };
}

/**
 * Mounted at `/archives`: counts the archive bytes of each completed transfer,
 * a download's body (200 or 206) and an upload's stored size. A transfer cut
 * short is not counted (how much of it crossed is not known here).
 */
export function archiveTransferBytes(metrics: MetricsRecorder): RequestHandler {
  return (req, res, next) => {
    // Read now: routers below rewrite req.url while they run. `/` is the list, not an archive.
    const oneArchive = /^\/[^/]+$/.test(req.path);
    if (oneArchive && (req.method === 'GET' || req.method === 'PUT')) {
      res.once('finish', () => {
        if (req.method === 'PUT' && res.statusCode === 201) {
          metrics.archiveBytes('uploaded', Number(res.locals[ARCHIVE_BYTES_LOCAL]));
        } else if (req.method === 'GET' && (res.statusCode === 200 || res.statusCode === 206)) {
          metrics.archiveBytes('downloaded', Number(res.getHeader('content-length')));
        }
      });
    }
    next();
  };
}
