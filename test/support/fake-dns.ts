/**
 * A resolver for this test process only: names in its table resolve to the
 * given addresses, `localhost` and IP literals as usual, and every other name
 * fails at once with ENOTFOUND, without a DNS query. Also records what was
 * looked up and every HTTP connection fetch (undici) opened, so a test can
 * show that a host was never contacted. Node's net and fetch read `dns.lookup`
 * at call time, so replacing it here reaches them too.
 */
import dns from 'node:dns';
import diagnostics from 'node:diagnostics_channel';
import { isIP } from 'node:net';

/** A running fake resolver and connection recorder. */
export interface FakeDns {
  /** Names looked up (dns.lookup and dns.promises.lookup), in order. */
  readonly lookups: string[];
  /** host[:port] of every connection fetch opened (undici:client:beforeConnect). */
  readonly connections: string[];
  reset(): void;
  restore(): void;
}

type LookupCallback = (err: NodeJS.ErrnoException | null, address?: string | dns.LookupAddress[], family?: number) => void;

/** Installs the fake resolver with `table` (name -> IPv4 address). */
export function installFakeDns(table: Record<string, string>): FakeDns {
  const lookups: string[] = [];
  const connections: string[] = [];
  const realLookup = dns.lookup;
  const realPromisesLookup = dns.promises.lookup;

  const answer = (hostname: string): string | undefined => {
    if (isIP(hostname) || hostname === 'localhost') return undefined;
    lookups.push(hostname);
    return table[hostname.toLowerCase()] ?? '';
  };
  const notFound = (hostname: string) => Object.assign(new Error(`getaddrinfo ENOTFOUND ${hostname} (fake resolver)`), { code: 'ENOTFOUND', hostname });

  const fakeLookup = function (hostname: string, options: unknown, callback?: LookupCallback): void {
    const cb = (typeof options === 'function' ? options : callback) as LookupCallback;
    const opts = typeof options === 'object' && options !== null ? (options as dns.LookupOptions) : {};
    const address = answer(hostname);
    if (address === undefined) return void (realLookup as (...a: unknown[]) => void)(hostname, opts, cb);
    if (address === '') return void process.nextTick(cb, notFound(hostname));
    if (opts.all) return void process.nextTick(cb, null, [{ address, family: 4 }]);
    process.nextTick(cb, null, address, 4);
  };
  const fakePromisesLookup = async (hostname: string, options?: dns.LookupOptions) => {
    const address = answer(hostname);
    if (address === undefined) return realPromisesLookup(hostname, options ?? {});
    if (address === '') throw notFound(hostname);
    return options?.all ? [{ address, family: 4 }] : { address, family: 4 };
  };
  (dns as { lookup: unknown }).lookup = fakeLookup;
  (dns.promises as { lookup: unknown }).lookup = fakePromisesLookup;

  const onConnect = (message: unknown) => {
    const params = (message as { connectParams?: { hostname?: string; host?: string; port?: string } }).connectParams;
    connections.push(params?.host ?? `${params?.hostname}:${params?.port}`);
  };
  diagnostics.subscribe('undici:client:beforeConnect', onConnect);

  return {
    lookups,
    connections,
    reset: () => {
      lookups.length = 0;
      connections.length = 0;
    },
    restore: () => {
      (dns as { lookup: unknown }).lookup = realLookup;
      (dns.promises as { lookup: unknown }).lookup = realPromisesLookup;
      diagnostics.unsubscribe('undici:client:beforeConnect', onConnect);
    },
  };
}
