/**
 * Cross-site request refusal: a browser request (or WebSocket upgrade) whose
 * Origin names another host:port than the Host it was sent to is refused
 * unless the origin is listed in DOCKQL_ALLOWED_ORIGINS. This closes
 * cross-site WebSocket hijacking (browsers send no CORS preflight for
 * upgrades) and works behind a reverse proxy that forwards Host.
 */

/**
 * True when the request may proceed.
 * @param origin - the Origin header (absent for non-browser clients: allowed).
 * @param host - the Host header the request was sent with.
 * @param allowed - extra origins, as config normalizes them (scheme://host[:port], lower-case).
 */
export function originAllowed(origin: string | undefined, host: string | undefined, allowed: readonly string[]): boolean {
  if (origin === undefined) return true;
  let url: URL;
  try {
    url = new URL(origin);
  } catch {
    // "null" (sandboxed frames, file: pages) and garbage are never the server's own origin.
    return false;
  }
  if (allowed.includes(url.origin.toLowerCase())) return true;
  if (!host || !['http:', 'https:'].includes(url.protocol)) return false;
  try {
    // Read Host with the origin's scheme so that default ports compare equal (Host "x" ~ Origin "https://x:443").
    return new URL(`${url.protocol}//${host}`).host.toLowerCase() === url.host.toLowerCase();
  } catch {
    return false;
  }
}

/**
 * True when a Host header names this machine's loopback (`localhost`,
 * 127.0.0.0/8, ::1) or `bindHost` itself. Without tokens every caller is
 * admin and the server listens on loopback only; refusing other Host names
 * closes DNS rebinding, where a web page re-points its own name at 127.0.0.1
 * and becomes "same-origin" with the API.
 */
export function hostIsLocal(host: string | undefined, bindHost: string): boolean {
  if (!host) return false;
  let hostname: string;
  try {
    hostname = new URL(`http://${host}`).hostname.toLowerCase();
  } catch {
    return false;
  }
  const bare = hostname.replace(/^\[(.*)\]$/, '$1');
  return bare === 'localhost' || bare.endsWith('.localhost') || /^127(\.\d{1,3}){3}$/.test(bare) || bare === '::1' || bare === bindHost.toLowerCase();
}

/** True for loopback bind addresses (the only ones a server without tokens may use). */
export function isLoopbackAddress(host: string): boolean {
  return host === 'localhost' || /^127(\.\d{1,3}){3}$/.test(host) || host === '::1';
}
