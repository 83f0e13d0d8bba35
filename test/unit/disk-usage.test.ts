/** `docker system df` arithmetic over the daemon's `GET /system/df` (the docker CLI's formulas). */
import type { SystemDfDto } from '../../src/docker/system-df';
import { toDiskUsage } from '../../src/schema/disk-usage/disk-usage.mapper';

const image = (id: string, size: number, shared: number, containers: number) =>
  ({ Id: id, Size: size, SharedSize: shared, Containers: containers, VirtualSize: size }) as unknown as NonNullable<SystemDfDto['Images']>[number];
const container = (state: string, sizeRw?: number) => ({ State: state, SizeRw: sizeRw }) as unknown as NonNullable<SystemDfDto['Containers']>[number];
const volume = (name: string, size: number, refs: number) => ({ Name: name, UsageData: { Size: size, RefCount: refs } }) as NonNullable<SystemDfDto['Volumes']>[number];

describe('toDiskUsage', () => {
  it('computes the four rows as `docker system df` does', () => {
    const df: SystemDfDto = {
      LayersSize: 1000,
      Images: [image('a', 600, 100, 2), image('b', 300, 100, 0), image('c', 200, 0, 1)],
      Containers: [container('running', 10), container('exited', 20), container('paused', 5), container('created')],
      Volumes: [volume('v1', 50, 1), volume('v2', 70, 0), volume('v3', -1, 0)],
      BuildCache: [
        { ID: '1', Size: 100, InUse: true, Shared: false },
        { ID: '2', Size: 40, InUse: false, Shared: false },
        { ID: '3', Size: 30, InUse: false, Shared: true },
      ],
    };
    expect(toDiskUsage(df)).toEqual({
      // In use: a (600-100) + c (200-0) = 700 of 1000 layer bytes.
      images: { totalCount: 3, active: 2, sizeBytes: 1000, reclaimableBytes: 300 },
      containers: { totalCount: 4, active: 2, sizeBytes: 35, reclaimableBytes: 20 },
      // A size of -1 (the driver cannot tell) counts as nothing.
      volumes: { totalCount: 3, active: 1, sizeBytes: 120, reclaimableBytes: 70 },
      // Shared records are not counted; in-use ones are not reclaimable.
      buildCache: { totalCount: 3, active: 1, sizeBytes: 140, reclaimableBytes: 40 },
    });
  });

  it('reads null lists (an empty daemon) as zeros', () => {
    const zero = { totalCount: 0, active: 0, sizeBytes: 0, reclaimableBytes: 0 };
    expect(toDiskUsage({ Images: null, Containers: null, Volumes: null, BuildCache: null })).toEqual({ images: zero, containers: zero, volumes: zero, buildCache: zero });
  });

  it('skips images whose sizes the daemon did not compute, as the CLI does', () => {
    const usage = toDiskUsage({ LayersSize: 500, Images: [image('a', -1, 0, 1)], Containers: [], Volumes: [] });
    expect(usage.images).toEqual({ totalCount: 1, active: 1, sizeBytes: 500, reclaimableBytes: 500 });
  });
});
