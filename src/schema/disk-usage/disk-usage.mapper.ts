/**
 * `docker system df` from the daemon's `GET /system/df`, with the docker CLI's
 * arithmetic (cli/command/formatter/disk_usage.go), so the numbers agree with
 * what ops see. Pure logic.
 */
import type { SystemDfDto } from '../../docker/system-df';
import type { DiskUsage, DiskUsageSummary } from './disk-usage.type';

const ACTIVE_CONTAINER = /running|paused|restarting/;

function summary(totalCount: number, active: number, sizeBytes: number, reclaimableBytes: number): DiskUsageSummary {
  const clamp = (n: number) => Math.min(Math.max(0, n), Number.MAX_SAFE_INTEGER);
  return { totalCount, active, sizeBytes: clamp(sizeBytes), reclaimableBytes: clamp(reclaimableBytes) };
}

/** The four rows of `docker system df`. */
export function toDiskUsage(df: SystemDfDto): DiskUsage {
  const images = df.Images ?? [];
  const usedImages = images.filter((i) => (i.Containers ?? 0) > 0);
  // An image in use keeps its own (unshared) layers; the CLI skips images whose sizes the daemon did not compute (-1).
  const imagesInUse = usedImages.reduce((sum, i) => (i.Size === -1 || i.SharedSize === -1 ? sum : sum + i.Size - (i.SharedSize ?? 0)), 0);
  const layers = df.LayersSize ?? 0;

  const containers = df.Containers ?? [];
  const isActive = (c: (typeof containers)[number]) => ACTIVE_CONTAINER.test(c.State ?? '');
  const containerSize = containers.reduce((sum, c) => sum + (c.SizeRw ?? 0), 0);
  const containerFree = containers.filter((c) => !isActive(c)).reduce((sum, c) => sum + (c.SizeRw ?? 0), 0);

  const volumes = df.Volumes ?? [];
  const sized = (v: (typeof volumes)[number]) => (v.UsageData && v.UsageData.Size !== -1 ? v.UsageData.Size : 0);
  const usedVolumes = volumes.filter((v) => (v.UsageData?.RefCount ?? 0) > 0);
  const volumeSize = volumes.reduce((sum, v) => sum + sized(v), 0);
  const volumeFree = volumes.filter((v) => (v.UsageData?.RefCount ?? 0) === 0).reduce((sum, v) => sum + sized(v), 0);

  const cache = df.BuildCache ?? [];
  const cacheSize = cache.filter((b) => !b.Shared).reduce((sum, b) => sum + b.Size, 0);
  const cacheInUse = cache.filter((b) => b.InUse && !b.Shared).reduce((sum, b) => sum + b.Size, 0);

  return {
    images: summary(images.length, usedImages.length, layers, layers - imagesInUse),
    containers: summary(containers.length, containers.filter(isActive).length, containerSize, containerFree),
    volumes: summary(volumes.length, usedVolumes.length, volumeSize, volumeFree),
    buildCache: summary(cache.length, cache.filter((b) => b.InUse).length, cacheSize, cacheSize - cacheInUse),
  };
}
