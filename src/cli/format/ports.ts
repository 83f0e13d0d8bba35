/**
 * The PORTS column of `docker ps` (docker/cli DisplayablePorts): published
 * ports as "ip:public->private/proto", consecutive ports published on the same
 * number grouped into ranges ("0.0.0.0:8000-8002->8000-8002/tcp"), exposed-only
 * ports as "private/proto", joined with ", ".
 */

/** One port of a container, as the API's Port type has it. */
export interface PortLike {
  readonly ip?: string | null;
  readonly privatePort: number;
  readonly publicPort?: number | null;
  readonly type: string;
}

/** net.JoinHostPort: IPv6 hosts in brackets. */
function joinHostPort(host: string, port: string): string {
  return host.includes(':') ? `[${host}]:${port}` : `${host}:${port}`;
}

function compareIp(a: string, b: string): number {
  // Go compares netip.Addr: IPv4 before IPv6, then by value; a textual compare within a family is close enough here.
  const fa = a.includes(':') ? 1 : 0;
  const fb = b.includes(':') ? 1 : 0;
  if (fa !== fb) return fa - fb;
  if (fa === 0) {
    const na = a.split('.').map(Number);
    const nb = b.split('.').map(Number);
    for (let i = 0; i < 4; i++) if (na[i] !== nb[i]) return (na[i] ?? 0) - (nb[i] ?? 0);
    return 0;
  }
  return a < b ? -1 : a > b ? 1 : 0;
}

function comparePorts(a: PortLike, b: PortLike): number {
  if (a.privatePort !== b.privatePort) return a.privatePort - b.privatePort;
  const ipOrder = compareIp(a.ip ?? '', b.ip ?? '');
  if (ipOrder !== 0) return ipOrder;
  if ((a.publicPort ?? 0) !== (b.publicPort ?? 0)) return (a.publicPort ?? 0) - (b.publicPort ?? 0);
  return a.type < b.type ? -1 : a.type > b.type ? 1 : 0;
}

function formGroup(key: string, first: number, last: number): string {
  const slash = key.lastIndexOf('/');
  const ip = slash >= 0 ? key.slice(0, slash) : '';
  const proto = slash >= 0 ? key.slice(slash + 1) : key;
  const range = first === last ? String(first) : `${first}-${last}`;
  return `${ip ? `${joinHostPort(ip, range)}->${range}` : range}/${proto}`;
}

/** The PORTS cell for `ports`. */
export function displayablePorts(ports: readonly PortLike[]): string {
  const groups = new Map<string, { first: number; last: number }>();
  const result: string[] = [];
  const hostMappings: string[] = [];
  for (const port of [...ports].sort(comparePorts)) {
    const current = port.privatePort;
    let key = port.type;
    if (port.ip) {
      if (port.publicPort !== current) {
        hostMappings.push(`${joinHostPort(port.ip, String(port.publicPort ?? 0))}->${current}/${port.type}`);
        continue;
      }
      key = `${port.ip}/${port.type}`;
    }
    const group = groups.get(key);
    if (!group) {
      groups.set(key, { first: current, last: current });
    } else if (current === group.last + 1) {
      group.last = current;
    } else {
      result.push(formGroup(key, group.first, group.last));
      // The key keeps its first place in the order, as in docker's groupMapKeys.
      group.first = current;
      group.last = current;
    }
  }
  for (const [key, group] of groups) result.push(formGroup(key, group.first, group.last));
  return [...result, ...hostMappings].join(', ');
}
