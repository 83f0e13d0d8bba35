/**
 * WebSocket bookkeeping for metrics and logs: one count per operation however
 * graphql-ws ends it (onComplete, onError alone, or onError then onComplete),
 * the socket and subscription gauges back to zero, and a request id of socket
 * id + operation id, safe for logs.
 */
import { EventEmitter } from 'node:events';
import type { IncomingMessage } from 'node:http';
import { OperationTypeNode } from 'graphql';
import type { WebSocket } from 'ws';
import { createLogger } from '../../src/logger';
import { NO_METRICS, type MetricsRecorder, type OperationRecord } from '../../src/metrics/recorder';
import { WsOperations } from '../../src/transport/ws-operations';

function recorder(): { metrics: MetricsRecorder; operations: OperationRecord[]; gauges: { sockets: number; subscriptions: number } } {
  const operations: OperationRecord[] = [];
  const gauges = { sockets: 0, subscriptions: 0 };
  const metrics: MetricsRecorder = {
    ...NO_METRICS,
    operation: (r) => void operations.push(r),
    webSocketOpened: () => void gauges.sockets++,
    webSocketClosed: () => void gauges.sockets--,
    subscriptionStarted: () => void gauges.subscriptions++,
    subscriptionEnded: () => void gauges.subscriptions--,
  };
  return { metrics, operations, gauges };
}

function setUp() {
  const rec = recorder();
  const lines: string[] = [];
  const ops = new WsOperations(rec.metrics, createLogger('debug', { write: (l: string) => void lines.push(l) }));
  const socket = new EventEmitter() as unknown as WebSocket;
  ops.opened(socket, { socket: { remoteAddress: '127.0.0.1' } } as IncomingMessage);
  return { ...rec, ops, socket, lines: () => lines.map((l) => JSON.parse(l) as Record<string, unknown>) };
}

describe('WsOperations', () => {
  it('counts a query once on completion, named by the document when the client sent no name', () => {
    const { ops, socket, operations, lines } = setUp();
    const requestId = ops.started(socket, '1', undefined);
    ops.identified(socket, '1', OperationTypeNode.QUERY, 'HostOverview');
    ops.executing(socket, '1', false);
    ops.completed(socket, '1');
    expect(operations).toEqual([expect.objectContaining({ name: 'HostOverview', type: 'query', transport: 'ws', outcome: 'ok' })]);
    expect(operations[0]!.seconds).toBeGreaterThanOrEqual(0);
    const line = lines().find((l) => l.msg === 'ws operation')!;
    expect(line).toMatchObject({ requestId, operationId: '1', operation: 'HostOverview', type: 'query', outcome: 'ok' });
    expect(requestId).toMatch(/^[0-9a-f]{12}:1$/);
    expect(line.socketId).toBe(requestId.split(':')[0]);
  });

  it('ends an operation refused before it ran on its error alone, with the error code as outcome', () => {
    const { ops, socket, operations } = setUp();
    ops.started(socket, 'a', 'Bad');
    ops.failed(socket, 'a', [{ extensions: { code: 'GRAPHQL_VALIDATION_FAILED' } }]);
    ops.completed(socket, 'a');
    expect(operations).toEqual([expect.objectContaining({ name: 'Bad', type: undefined, outcome: 'GRAPHQL_VALIDATION_FAILED' })]);
  });

  it('keeps a subscription whose stream failed until its completion, counted once, and the gauge back at zero', () => {
    const { ops, socket, operations, gauges } = setUp();
    ops.started(socket, 's', 'Events');
    ops.identified(socket, 's', OperationTypeNode.SUBSCRIPTION, 'Events');
    ops.executing(socket, 's', true);
    expect(gauges.subscriptions).toBe(1);
    ops.failed(socket, 's', [{ extensions: { code: 'SUBSCRIBER_TOO_SLOW' } }]);
    expect(operations).toHaveLength(0);
    ops.completed(socket, 's');
    expect(operations).toEqual([expect.objectContaining({ type: 'subscription', outcome: 'SUBSCRIBER_TOO_SLOW' })]);
    expect(gauges.subscriptions).toBe(0);
  });

  it('takes the first error of the results as the outcome', () => {
    const { ops, socket, operations } = setUp();
    ops.started(socket, 'q', 'Q');
    ops.executing(socket, 'q', false);
    ops.result(socket, 'q', [{ extensions: { code: 'NOT_FOUND' } }]);
    ops.result(socket, 'q', [{ extensions: { code: 'FORBIDDEN' } }]);
    ops.completed(socket, 'q');
    expect(operations[0]!.outcome).toBe('NOT_FOUND');
  });

  it('counts the socket while it is open, and keeps odd operation ids out of log fields', () => {
    const { ops, socket, gauges, lines } = setUp();
    expect(gauges.sockets).toBe(1);
    const requestId = ops.started(socket, 'x y\n{"evil":1}', 'Q');
    expect(requestId).toMatch(/^[0-9a-f]{12}:[A-Za-z0-9._-]+$/);
    ops.completed(socket, 'x y\n{"evil":1}');
    (socket as unknown as EventEmitter).emit('close', 1000);
    expect(gauges.sockets).toBe(0);
    expect(lines().map((l) => l.msg)).toEqual(['websocket opened', 'ws operation', 'websocket closed']);
  });
});
