/** Liveness and readiness routes for orchestrators and load balancers. */
import { Router } from 'express';
import type { DockerClient } from './docker/client';
import { DockqlError } from './schema/errors';

/** How long /readyz waits for the daemon's ping before calling it unready. */
const READY_TIMEOUT_MS = 3000;

/**
 * `GET /healthz`: 200 while the process serves. `GET /readyz`: 200 when the
 * daemon answers a ping, else 503 with a JSON reason.
 */
export function healthRouter(docker: DockerClient): Router {
  const router = Router();
  router.get('/healthz', (_req, res) => {
    res.json({ status: 'ok' });
  });
  router.get('/readyz', async (_req, res) => {
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new Error(`the Docker daemon did not answer within ${READY_TIMEOUT_MS} ms`)), READY_TIMEOUT_MS);
    });
    try {
      await Promise.race([docker.ping(), timeout]);
      res.json({ status: 'ready', daemon: 'ok', apiVersion: await docker.apiVersion() });
    } catch (err) {
      const reason = err instanceof DockqlError ? err.message : err instanceof Error && err.message.startsWith('the Docker daemon') ? err.message : 'the Docker daemon is unavailable';
      res.status(503).json({ status: 'unavailable', reason });
    } finally {
      clearTimeout(timer);
    }
  });
  return router;
}
