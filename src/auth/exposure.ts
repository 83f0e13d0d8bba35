/** The safe default: without tokens every caller is admin, so such a server may only listen on loopback. */
import { ConfigError } from '../config';
import type { Logger } from '../logger';
import { isLoopbackAddress } from './origin';

/**
 * Refuses to serve a non-loopback address without a tokens file, unless
 * `insecure` (DOCKQL_INSECURE=1) says the operator means it; then warns.
 * @throws ConfigError with the one-line reason `main` prints.
 */
export function checkExposure(options: { host: string; tokensFile?: string; insecure: boolean }, log: Logger): void {
  if (options.tokensFile !== undefined || isLoopbackAddress(options.host)) return;
  if (!options.insecure) {
    throw new ConfigError(
      `DOCKQL_HOST: refusing to serve ${options.host} without DOCKQL_TOKENS_FILE: every caller would be admin of the Docker host. Create tokens (npm run token -- --name NAME --role ROLE), or set DOCKQL_INSECURE=1 if something else guards this address`,
    );
  }
  log.warn({ host: options.host }, 'DOCKQL_INSECURE=1: serving a non-loopback address without tokens; every caller who reaches it is admin of the Docker host');
}
