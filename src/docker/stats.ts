/**
 * Container runtime facts: resource samples (`GET /containers/{id}/stats`,
 * one-shot or streamed) and processes (`GET /containers/{id}/top`).
 */
import type { DockerClient } from './client';
import { dial } from './dial';
import { LineTooLongError, NdjsonLines } from './ndjson-lines';
import { encodePathSegment } from './refs';

/** CPU counters of one sample (nanoseconds of CPU time). */
export interface CpuStatsDto {
  cpu_usage?: { total_usage?: number; percpu_usage?: number[] | null };
  /** Host CPU time over all CPUs (nanoseconds); absent on Windows and in empty samples. */
  system_cpu_usage?: number;
  online_cpus?: number;
}

/** The part of one `stats` sample dockql reads (the daemon sends more). */
export interface StatsDto {
  /** Sample time; Go's zero time (0001-01-01T00:00:00Z) in the empty sample of a container that is not running. */
  read: string;
  preread?: string;
  pids_stats?: { current?: number; limit?: number };
  blkio_stats?: { io_service_bytes_recursive?: Array<{ op: string; value: number }> | null };
  cpu_stats?: CpuStatsDto;
  precpu_stats?: CpuStatsDto;
  memory_stats?: { usage?: number; limit?: number; max_usage?: number; stats?: Record<string, number> };
  networks?: Record<string, { rx_bytes?: number; tx_bytes?: number }>;
}

/** True for the daemon's empty sample: the container is not (or no longer) running. */
export function isEmptySample(sample: StatsDto): boolean {
  return !sample.read || sample.read.startsWith('0001-01-01');
}

/** `GET /containers/{id}/stats` as a stream, read incrementally like logs. */
function openStats(client: DockerClient, id: string, stream: boolean, signal?: AbortSignal): Promise<NodeJS.ReadableStream> {
  const path = `/containers/${encodePathSegment(id)}/stats`;
  return client.withDocker((d) => dial<NodeJS.ReadableStream>(d, { method: 'GET', path, query: { stream }, ok: [200], stream: true, signal }));
}

/**
 * One sample like `docker stats --no-stream`: the daemon waits for a second
 * sample (about one second) so that precpu_stats holds the previous one.
 * @param id the container's full id
 */
export async function readStatsOnce(client: DockerClient, id: string): Promise<StatsDto> {
  const stream = await openStats(client, id, false);
  const decoder = new StatsDecoder();
  const samples: StatsDto[] = [];
  try {
    for await (const chunk of stream as AsyncIterable<Buffer>) samples.push(...decoder.push(chunk).items);
    samples.push(...decoder.end());
  } finally {
    (stream as NodeJS.ReadableStream & { destroy?: () => void }).destroy?.();
  }
  const sample = samples[0];
  if (!sample) throw new Error("the daemon's stats response was empty");
  return sample;
}

/** Opens the streamed samples (`docker stats`): one about every second, forever (empty ones after the container stops). */
export function openStatsStream(client: DockerClient, id: string, signal: AbortSignal): Promise<NodeJS.ReadableStream> {
  return openStats(client, id, true, signal);
}

/** Longest stats line accepted, in characters: a sample is a few KiB even with many CPUs. */
const MAX_SAMPLE_CHARS = 1024 * 1024;

/**
 * Newline-delimited stats samples, split anywhere across chunks (ndjson-lines.ts
 * splits them). `done` is set at the first empty sample: the container stopped
 * (the daemon keeps streaming empty samples, so this is the only end there is).
 */
export class StatsDecoder {
  private readonly lines = new NdjsonLines(MAX_SAMPLE_CHARS);

  /**
   * The samples this chunk completes; nothing after an empty sample is read.
   * @throws Error on a line that is not a JSON object or is longer than 1 MiB
   */
  push(chunk: Buffer): { items: StatsDto[]; done?: boolean } {
    const items: StatsDto[] = [];
    try {
      for (const line of this.lines.split(chunk)) {
        const sample = parseSample(line);
        if (isEmptySample(sample)) return { items, done: true };
        items.push(sample);
      }
    } catch (err) {
      throw err instanceof LineTooLongError ? tooLong() : err;
    }
    return { items };
  }

  /** The last sample when the response ended without a newline after it. */
  end(): StatsDto[] {
    let last: string[];
    try {
      last = this.lines.end();
    } catch (err) {
      throw err instanceof LineTooLongError ? tooLong() : err;
    }
    return last.map(parseSample).filter((sample) => !isEmptySample(sample));
  }
}

function tooLong(): Error {
  return new Error("the daemon's stats stream has a line longer than 1 MiB");
}

function parseSample(line: string): StatsDto {
  let parsed: unknown;
  try {
    parsed = JSON.parse(line);
  } catch {
    throw new Error(`the daemon's stats stream has a line that is not JSON: ${JSON.stringify(line.slice(0, 100))}`);
  }
  if (!parsed || typeof parsed !== 'object' || Array.isArray(parsed)) throw new Error("the daemon's stats stream has a line that is not a JSON object");
  return parsed as StatsDto;
}

/** `GET /containers/{id}/top`: the `ps` columns and one row per process. */
export interface TopDto {
  Titles: string[] | null;
  Processes: string[][] | null;
}

/**
 * Like `docker top <id> [ps options]`: runs `ps` on the daemon host for the container's processes.
 * @throws CONFLICT when the container is not running (the daemon's 409)
 */
export function containerTop(client: DockerClient, id: string, psArgs: string): Promise<TopDto> {
  return client.withDocker((d) => d.getContainer(encodePathSegment(id)).top({ ps_args: psArgs }) as Promise<TopDto>);
}
