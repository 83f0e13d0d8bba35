/**
 * Streaming requests to the archive routes (GET/PUT /archives/<name>) with
 * node:http(s): the body is never buffered, an early answer (413, 409) to an
 * upload is read while the file is still being sent, and failures become
 * one-line CliErrors like the GraphQL ones.
 */
import http, { type ClientRequest, type IncomingMessage } from 'node:http';
import https from 'node:https';
import type { Api } from './api';
import { CliError } from './errors';
import { bodyError, httpFailure, networkFailure } from './failures';

/** Most of an error body read for its message. */
const ERROR_BODY_LIMIT = 64 * 1024;

/** Opens a request to `url` with the token; write the body (or end it) yourself. */
export function openRequest(api: Api, url: string, method: 'GET' | 'PUT', headers: Record<string, string | number> = {}): ClientRequest {
  const transport = url.startsWith('https:') ? https : http;
  return transport.request(url, { method, headers: { ...api.authHeaders(), ...headers } });
}

/**
 * The response to `req`, however the request body goes: a response that comes
 * while the body is still being written wins over the write error that follows.
 * @throws CliError when the connection fails before any response
 */
export function responseOf(api: Api, req: ClientRequest): Promise<IncomingMessage> {
  return new Promise((resolve, reject) => {
    let answered = false;
    req.once('response', (res) => {
      answered = true;
      resolve(res);
    });
    req.on('error', (err) => {
      if (answered) return;
      reject(networkFailure(err, api.context) ?? new CliError(`cannot reach dockql at ${api.settings.server}: ${err.message}`));
    });
  });
}

/** Reads an error answer (at most 64 KiB) and turns it into a CliError. */
export async function failureOf(api: Api, res: IncomingMessage): Promise<CliError> {
  let text = '';
  try {
    for await (const chunk of res) {
      if (text.length < ERROR_BODY_LIMIT) text += String(chunk);
    }
  } catch {
    // A body cut short still leaves the status to report.
  }
  return httpFailure(res.statusCode ?? 0, bodyError(text), api.context);
}
