/**
 * Streaming GETs of a container's long or endless responses (logs, stats).
 * dockerode buffers some of these whole (`logs` without `follow`), which would
 * let a 10,000-line log grow without bound in memory; here the caller always
 * gets the response stream and reads it incrementally. Run it inside
 * DockerClient.withDocker so that failures map like every other call.
 */
import type Dockerode from 'dockerode';
import { encodePathSegment } from './refs';

/** `GET /containers/{id}/{action}?query` as a stream; resolves once the daemon answered 200. */
export function getContainerStream(
  docker: Dockerode,
  id: string,
  action: 'logs' | 'stats',
  query: Readonly<Record<string, string | number | boolean>>,
  signal?: AbortSignal,
): Promise<NodeJS.ReadableStream> {
  return new Promise((resolve, reject) => {
    docker.modem.dial(
      {
        // The trailing "?" is docker-modem's cue to append `options` as the query string.
        path: `/containers/${encodePathSegment(id)}/${action}?`,
        method: 'GET',
        isStream: true,
        abortSignal: signal,
        // docker-modem fails every status not listed as true, with statusCode set: the client maps it.
        statusCodes: { 200: true },
        options: { ...query },
      } as Parameters<Dockerode['modem']['dial']>[0],
      (err: unknown, stream: unknown) => {
        if (err) reject(err);
        else resolve(stream as NodeJS.ReadableStream);
      },
    );
  });
}
