/**
 * What happens on each WebSocket and each operation on it, for metrics and
 * logs: a socket id per connection, a request id per operation (socket id +
 * the client's operation id), the open sockets and running subscriptions, and
 * one line and one count per finished operation.
 *
 * graphql-ws reports an operation's end in one of two ways: `onComplete`
 * (after results, including a subscription whose stream failed, where
 * `onError` comes first), or `onError` alone when it never ran (parse,
 * validation, limits). {@link WsOperations.failed} tells the two apart by
 * whether the operation started executing.
 */
import { randomBytes } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import type { OperationTypeNode } from 'graphql';
import type { WebSocket } from 'ws';
import type { Logger } from '../logger';
import { operationNameLabel, outcomeLabel } from '../metrics/labels';
import type { MetricsRecorder } from '../metrics/recorder';

type FormattedErrors = ReadonlyArray<{ readonly extensions?: Readonly<Record<string, unknown>> }>;

interface Operation {
  readonly requestId: string;
  readonly operationId: string;
  readonly startedAt: number;
  name: string | undefined;
  type?: OperationTypeNode;
  outcome?: string;
  /** Execution began (onOperation): graphql-ws will call onComplete. */
  executing: boolean;
  subscribed: boolean;
}

interface SocketState {
  readonly id: string;
  readonly operations: Map<string, Operation>;
}

/** Operation ids are the client's: kept as they are when plain, else with the odd characters replaced (they go into logs). */
function logSafeId(id: string): string {
  return id.slice(0, 64).replace(/[^A-Za-z0-9._-]/g, '_') || '_';
}

/** Socket and operation bookkeeping of one graphql-ws server. */
export class WsOperations {
  private readonly sockets = new WeakMap<WebSocket, SocketState>();

  constructor(
    private readonly metrics: MetricsRecorder,
    private readonly log: Logger,
  ) {}

  /** A socket was accepted (call from the ws server's `connection` event). */
  opened(socket: WebSocket, request: IncomingMessage): void {
    const state: SocketState = { id: randomBytes(6).toString('hex'), operations: new Map() };
    this.sockets.set(socket, state);
    this.metrics.webSocketOpened();
    this.log.debug({ socketId: state.id, remote: request.socket.remoteAddress }, 'websocket opened');
    socket.once('close', (code: number) => {
      this.metrics.webSocketClosed();
      this.log.debug({ socketId: state.id, code, operationsLeft: state.operations.size }, 'websocket closed');
    });
  }

  /** A subscribe message arrived: returns the operation's request id (for its context and log lines). */
  started(socket: WebSocket, operationId: string, name: string | null | undefined): string {
    const state = this.stateOf(socket);
    const safeId = logSafeId(operationId);
    const operation: Operation = { requestId: `${state.id}:${safeId}`, operationId: safeId, startedAt: performance.now(), name: name ?? undefined, executing: false, subscribed: false };
    state.operations.set(operationId, operation);
    return operation.requestId;
  }

  /** The document was parsed: the operation's type, and its name when the client sent none. */
  identified(socket: WebSocket, operationId: string, type: OperationTypeNode | undefined, documentName: string | undefined): void {
    const operation = this.find(socket, operationId);
    if (!operation) return;
    operation.type = type;
    operation.name ??= documentName;
  }

  /** Execution began; `subscription` when it returned a stream (a running subscription until completed). */
  executing(socket: WebSocket, operationId: string, subscription: boolean): void {
    const operation = this.find(socket, operationId);
    if (!operation) return;
    operation.executing = true;
    if (subscription) {
      operation.subscribed = true;
      this.metrics.subscriptionStarted();
    }
  }

  /** A result is going out; its first error code is the outcome unless one was already seen. */
  result(socket: WebSocket, operationId: string, errors: FormattedErrors | undefined): void {
    const operation = this.find(socket, operationId);
    if (operation && errors?.length) operation.outcome ??= outcomeLabel(errors);
  }

  /** An error message is going out; when the operation never executed, nothing else will follow: it ends here. */
  failed(socket: WebSocket, operationId: string, errors: FormattedErrors): void {
    const operation = this.find(socket, operationId);
    if (!operation) return;
    operation.outcome ??= outcomeLabel(errors);
    if (!operation.executing) this.finish(socket, operationId, operation);
  }

  /** The operation completed (results sent, the client unsubscribed, or the socket closed). */
  completed(socket: WebSocket, operationId: string): void {
    const operation = this.find(socket, operationId);
    if (operation) this.finish(socket, operationId, operation);
  }

  private finish(socket: WebSocket, operationId: string, operation: Operation): void {
    this.stateOf(socket).operations.delete(operationId);
    if (operation.subscribed) this.metrics.subscriptionEnded();
    const seconds = (performance.now() - operation.startedAt) / 1000;
    const outcome = operation.outcome ?? 'ok';
    this.metrics.operation({ name: operation.name, type: operation.type, transport: 'ws', outcome, seconds });
    this.log.info(
      { requestId: operation.requestId, socketId: this.stateOf(socket).id, operationId: operation.operationId, operation: operationNameLabel(operation.name), type: operation.type ?? 'unknown', outcome, ms: Math.round(seconds * 1000) },
      'ws operation',
    );
  }

  private find(socket: WebSocket, operationId: string): Operation | undefined {
    return this.sockets.get(socket)?.operations.get(operationId);
  }

  /** A socket not seen opening (cannot happen with the connection listener in place) still gets an id. */
  private stateOf(socket: WebSocket): SocketState {
    let state = this.sockets.get(socket);
    if (!state) {
      state = { id: randomBytes(6).toString('hex'), operations: new Map() };
      this.sockets.set(socket, state);
    }
    return state;
  }
}
