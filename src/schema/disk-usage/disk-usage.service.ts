/** `docker system df`, read at most once per operation (volume usage shares it). */
import type { DockerClient } from '../../docker/client';
import { type SystemDfDto, systemDf } from '../../docker/system-df';
import { toDiskUsage } from './disk-usage.mapper';
import type { DiskUsage } from './disk-usage.type';

export class DiskUsageService {
  private pending?: Promise<SystemDfDto>;

  constructor(private readonly docker: DockerClient) {}

  /** `GET /system/df` for this operation: the daemon walks every layer and volume, so it is asked once. */
  df(): Promise<SystemDfDto> {
    this.pending ??= systemDf(this.docker).catch((err: unknown) => {
      this.pending = undefined;
      throw err;
    });
    return this.pending;
  }

  /** Like `docker system df`. */
  async usage(): Promise<DiskUsage> {
    return toDiskUsage(await this.df());
  }
}
