/**
 * A bare graphql-transport-ws socket for security tests: choose what the
 * client sends (headers, connectionParams, no init at all) and see exactly
 * how the server answers: the upgrade status, the ack, the close code.
 */
import WebSocket from 'ws';

/** What happened to one probe socket. */
export interface WsProbe {
  readonly socket: WebSocket;
  /** Resolves with the upgrade's HTTP status when the server refuses the upgrade. */
  readonly refusedUpgrade: Promise<number>;
  /** Resolves when the server acknowledges connection_init. */
  readonly acked: Promise<void>;
  /** Resolves with the close code and reason, however the socket ends. */
  readonly closed: Promise<{ code: number; reason: string }>;
  /** Sends a subscribe message; resolves with the first next/error payload of that id, or the complete. */
  subscribe(id: string, query: string, variables?: Record<string, unknown>): Promise<{ type: string; payload?: unknown }>;
  close(): void;
}

/**
 * Opens a socket to `url`.
 * @param init connection_init payload; `false` sends no init at all.
 */
export function wsProbe(url: string, options: { init?: Record<string, unknown> | false; headers?: Record<string, string> } = {}): WsProbe {
  const socket = new WebSocket(url, 'graphql-transport-ws', { headers: options.headers });
  const waiting = new Map<string, (m: { type: string; payload?: unknown }) => void>();
  let onAck: () => void = () => undefined;
  const acked = new Promise<void>((resolve) => (onAck = resolve));
  const refusedUpgrade = new Promise<number>((resolve) => socket.on('unexpected-response', (_req, res) => {
    resolve(res.statusCode ?? 0);
    res.resume();
  }));
  const closed = new Promise<{ code: number; reason: string }>((resolve) => {
    socket.on('close', (code, reason) => resolve({ code, reason: String(reason) }));
    socket.on('error', () => resolve({ code: -1, reason: 'error' }));
  });
  socket.on('open', () => {
    if (options.init !== false) socket.send(JSON.stringify({ type: 'connection_init', payload: options.init ?? {} }));
  });
  socket.on('message', (raw) => {
    const message = JSON.parse(String(raw)) as { type: string; id?: string; payload?: unknown };
    if (message.type === 'connection_ack') return onAck();
    if (message.type === 'ping') return socket.send(JSON.stringify({ type: 'pong' }));
    const listener = message.id === undefined ? undefined : waiting.get(message.id);
    if (listener && ['next', 'error', 'complete'].includes(message.type)) {
      waiting.delete(message.id!);
      listener(message);
    }
  });
  return {
    socket,
    refusedUpgrade,
    acked,
    closed,
    subscribe: (id, query, variables) =>
      new Promise((resolve) => {
        waiting.set(id, resolve);
        socket.send(JSON.stringify({ id, type: 'subscribe', payload: { query, variables } }));
      }),
    close: () => socket.close(),
  };
}
