import 'reflect-metadata';
import type { ImageHistoryDto, ImageInspectDto, ImageSummaryDto } from '../../src/docker/types';
import {
  digestIn,
  groupRepositories,
  imageFromInspect,
  imageFromSummary,
  layerFromHistory,
  splitRepoTag,
  tagsOf,
} from '../../src/schema/image/image.mapper';
import type { Image } from '../../src/schema/image/image.type';

const BUSYBOX_ID = 'sha256:8135583d97feb82398909c9c97607159e6db2c4ca2c885c0b8f590ee0f9fe90d';
const BUSYBOX_DIGEST = 'sha256:560af6915bfc8d7630e50e212e08242d37b63bd5c1ccf9bd4acccf116e262d5b';
const ALPINE_ID = 'sha256:05455a08881ea9cf0e752bc48e61bbd71a34c029bb13df01e40e3e70e0d007bd';
const ALPINE_DIGEST = 'sha256:c5b1261d6d3e43071626931fc004f70149baeba2c8ec672bd4f27761f8e1ad6b';
const DANGLING_ID = 'sha256:f1c8d1e7a2b3c4d5e6f708192a3b4c5d6e7f8091a2b3c4d5e6f708192a3b4c5d';

/** A row of `GET /images/json` (API 1.41), with overrides. */
function summary(overrides: Partial<ImageSummaryDto> = {}): ImageSummaryDto {
  return {
    Containers: -1,
    Created: 1684449257,
    Id: BUSYBOX_ID,
    Labels: null as unknown as Record<string, string>,
    ParentId: '',
    RepoDigests: [`busybox@${BUSYBOX_DIGEST}`],
    RepoTags: ['busybox:latest', 'busybox:1.36'],
    SharedSize: -1,
    Size: 4261550,
    VirtualSize: 4261550,
    ...overrides,
  };
}

/** `GET /images/{name}/json` (API 1.41), trimmed to what a daemon sends for busybox. */
function inspect(overrides: Partial<ImageInspectDto> = {}): ImageInspectDto {
  return {
    Id: BUSYBOX_ID,
    RepoTags: ['busybox:latest'],
    RepoDigests: [`busybox@${BUSYBOX_DIGEST}`],
    Parent: '',
    Comment: '',
    Created: '2023-05-18T22:34:17.468520787Z',
    Container: '',
    DockerVersion: '20.10.23',
    Author: '',
    Config: {
      Hostname: '',
      Domainname: '',
      User: '',
      AttachStdin: false,
      AttachStdout: false,
      AttachStderr: false,
      Tty: false,
      OpenStdin: false,
      StdinOnce: false,
      Env: ['PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin'],
      Cmd: ['sh'],
      Image: 'sha256:a416a98b71e224a31ee99cff8e16063554498227d2b696152a9c3e0aa65e5824',
      Volumes: null,
      WorkingDir: '',
      Entrypoint: null,
      OnBuild: null,
      Labels: { 'org.opencontainers.image.version': '1.36.1', 'maintainer': 'ops@example.com', 'com.example.team': 'infra' },
    },
    Architecture: 'amd64',
    Os: 'linux',
    Size: 4261550,
    VirtualSize: 4261550,
    GraphDriver: { Name: 'overlay2', Data: { MergedDir: '/var/lib/docker/overlay2/x/merged' } },
    RootFS: { Type: 'layers', Layers: ['sha256:9547b4c33213e630a0ca602a989ecc094e042146ae8afa502e1e65af6473db03'] },
    Metadata: { LastTagTime: '0001-01-01T00:00:00Z' },
    ...overrides,
  } as unknown as ImageInspectDto;
}

describe('imageFromSummary', () => {
  it('maps a tagged image', () => {
    expect(imageFromSummary(summary())).toEqual({
      id: BUSYBOX_ID,
      shortId: '8135583d97fe',
      repoTags: ['busybox:latest', 'busybox:1.36'],
      repoDigests: [`busybox@${BUSYBOX_DIGEST}`],
      created: new Date('2023-05-18T22:34:17Z'),
      size: 4261550,
      dangling: false,
      labels: [],
    });
  });

  it.each<[string, Partial<ImageSummaryDto>]>([
    ['<none> placeholders (API 1.41)', { RepoTags: ['<none>:<none>'], RepoDigests: ['<none>@<none>'] }],
    ['empty lists (newer daemons)', { RepoTags: [], RepoDigests: [] }],
    ['missing lists', { RepoTags: undefined, RepoDigests: undefined }],
    ['null lists', { RepoTags: null as unknown as string[], RepoDigests: null as unknown as string[] }],
  ])('reads an untagged image with %s as dangling', (_name, overrides) => {
    const image = imageFromSummary(summary({ Id: DANGLING_ID, ...overrides }));
    expect(image.repoTags).toEqual([]);
    expect(image.repoDigests).toEqual([]);
    expect(image.dangling).toBe(true);
    expect(image.shortId).toBe('f1c8d1e7a2b3');
  });

  it('keeps the digest of an image pulled by digest only, and calls it dangling (no tag)', () => {
    const image = imageFromSummary(summary({ RepoTags: [], RepoDigests: [`busybox@${BUSYBOX_DIGEST}`] }));
    expect(image.repoDigests).toEqual([`busybox@${BUSYBOX_DIGEST}`]);
    expect(image.dangling).toBe(true);
  });

  it.each<[number, string]>([
    [0, '1970-01-01T00:00:00.000Z'],
    [1684449257, '2023-05-18T22:34:17.000Z'],
    [1704164645, '2024-01-02T03:04:05.000Z'],
  ])('reads Created=%i as unix seconds', (created, iso) => {
    expect(imageFromSummary(summary({ Created: created })).created.toISOString()).toBe(iso);
  });

  it('sorts labels by key', () => {
    const image = imageFromSummary(summary({ Labels: { 'z.last': '1', 'a.first': '', 'm.middle': 'x=y' } }));
    expect(image.labels).toEqual([
      { key: 'a.first', value: '' },
      { key: 'm.middle', value: 'x=y' },
      { key: 'z.last', value: '1' },
    ]);
  });
});

describe('imageFromInspect', () => {
  it('maps the inspect JSON and keeps it for lazy fields', () => {
    const dto = inspect();
    const image = imageFromInspect(dto);
    expect(image).toMatchObject({
      id: BUSYBOX_ID,
      shortId: '8135583d97fe',
      repoTags: ['busybox:latest'],
      repoDigests: [`busybox@${BUSYBOX_DIGEST}`],
      size: 4261550,
      dangling: false,
    });
    expect(image.inspect).toBe(dto);
  });

  it.each<[string, string]>([
    ['2023-05-18T22:34:17.468520787Z', '2023-05-18T22:34:17.468Z'],
    ['2023-05-18T22:34:17Z', '2023-05-18T22:34:17.000Z'],
    ['2024-01-02T05:04:05.5+02:00', '2024-01-02T03:04:05.500Z'],
  ])('reads Created=%s as an RFC 3339 time', (created, iso) => {
    expect(imageFromInspect(inspect({ Created: created })).created.toISOString()).toBe(iso);
  });

  it('takes labels from Config, sorted by key', () => {
    expect(imageFromInspect(inspect()).labels.map((l) => l.key)).toEqual([
      'com.example.team',
      'maintainer',
      'org.opencontainers.image.version',
    ]);
  });

  it.each<[string, ImageInspectDto['Config'] | null]>([
    ['null Labels', { ...inspect().Config, Labels: null as unknown as Record<string, string> }],
    ['no Config', null],
  ])('reads %s as no labels', (_name, config) => {
    expect(imageFromInspect(inspect({ Config: config as ImageInspectDto['Config'] })).labels).toEqual([]);
  });

  it('drops <none> placeholders and reads the image as dangling', () => {
    const image = imageFromInspect(inspect({ RepoTags: ['<none>:<none>'], RepoDigests: ['<none>@<none>'] }));
    expect(image).toMatchObject({ repoTags: [], repoDigests: [], dangling: true });
  });
});

describe('splitRepoTag', () => {
  it.each<[string, string, string]>([
    ['busybox:1', 'busybox', '1'],
    ['busybox', 'busybox', 'latest'],
    ['library/busybox:1.36.1-musl', 'library/busybox', '1.36.1-musl'],
    ['127.0.0.1:5000/a/b:2', '127.0.0.1:5000/a/b', '2'],
    ['127.0.0.1:5000/a', '127.0.0.1:5000/a', 'latest'],
    ['localhost:5000/team/app:v1.2.3_rc.1', 'localhost:5000/team/app', 'v1.2.3_rc.1'],
    ['ghcr.io/owner/app:sha-0a1b2c3', 'ghcr.io/owner/app', 'sha-0a1b2c3'],
    ['[::1]:5000/app:7', '[::1]:5000/app', '7'],
  ])('%s -> %s : %s', (repoTag, repository, tag) => {
    expect(splitRepoTag(repoTag)).toEqual({ repository, tag });
  });
});

/** An Image as the mappers produce it. */
function image(id: string, repoTags: string[], repoDigests: string[] = []): Image {
  return imageFromSummary(summary({ Id: id, RepoTags: repoTags, RepoDigests: repoDigests }));
}

describe('digestIn and tagsOf', () => {
  const mirrored = image(
    BUSYBOX_ID,
    ['busybox:1.36', '127.0.0.1:5000/library/busybox:1.36', 'busybox-extra:1'],
    [`127.0.0.1:5000/library/busybox@${BUSYBOX_DIGEST}`, `busybox-extra@${ALPINE_DIGEST}`],
  );

  it.each<[string, string | undefined]>([
    ['127.0.0.1:5000/library/busybox', BUSYBOX_DIGEST],
    ['busybox-extra', ALPINE_DIGEST],
    // "busybox@" is not a prefix of "busybox-extra@..." nor of the mirror's digest.
    ['busybox', undefined],
    ['library/busybox', undefined],
  ])('digestIn(%s)', (repository, digest) => {
    expect(digestIn(mirrored, repository)).toBe(digest);
  });

  it("gives each tag the digest of its own repository only", () => {
    expect(tagsOf(mirrored)).toEqual([
      { name: '1.36', reference: 'busybox:1.36', digest: undefined, image: mirrored },
      { name: '1.36', reference: '127.0.0.1:5000/library/busybox:1.36', digest: BUSYBOX_DIGEST, image: mirrored },
      { name: '1', reference: 'busybox-extra:1', digest: ALPINE_DIGEST, image: mirrored },
    ]);
  });

  it('points every tag back at the same image object', () => {
    for (const tag of tagsOf(mirrored)) expect(tag.image).toBe(mirrored);
  });

  it('has no tags for a dangling image', () => {
    expect(tagsOf(image(DANGLING_ID, ['<none>:<none>'], ['<none>@<none>']))).toEqual([]);
  });
});

describe('groupRepositories', () => {
  const busybox = image(BUSYBOX_ID, ['busybox:latest', 'busybox:1.36'], [`busybox@${BUSYBOX_DIGEST}`]);
  const busyboxMusl = image(
    'sha256:1b2c3d4e5f60718293a4b5c6d7e8f90a1b2c3d4e5f60718293a4b5c6d7e8f90a',
    ['busybox:musl', '127.0.0.1:5000/busybox:musl'],
  );
  const alpine = image(ALPINE_ID, ['alpine:3.19'], [`alpine@${ALPINE_DIGEST}`]);
  const dangling = image(DANGLING_ID, ['<none>:<none>'], ['<none>@<none>']);

  const repos = groupRepositories([busybox, dangling, alpine, busyboxMusl]);

  it('lists each repository once, sorted by name, skipping dangling images', () => {
    expect(repos.map((r) => r.name)).toEqual(['127.0.0.1:5000/busybox', 'alpine', 'busybox']);
  });

  it.each<[string, string[]]>([
    ['127.0.0.1:5000/busybox', ['musl']],
    ['alpine', ['3.19']],
    ['busybox', ['1.36', 'latest', 'musl']],
  ])('%s has tags %j, sorted by name', (name, tags) => {
    expect(repos.find((r) => r.name === name)?.tags.map((t) => t.name)).toEqual(tags);
  });

  it('keeps several images in one repository, each tag pointing at its own image', () => {
    const tags = repos.find((r) => r.name === 'busybox')!.tags;
    expect(tags.map((t) => [t.reference, t.image?.id, t.digest])).toEqual([
      ['busybox:1.36', BUSYBOX_ID, BUSYBOX_DIGEST],
      ['busybox:latest', BUSYBOX_ID, BUSYBOX_DIGEST],
      ['busybox:musl', busyboxMusl.id, undefined],
    ]);
  });

  it('returns nothing for no images', () => {
    expect(groupRepositories([])).toEqual([]);
  });
});

describe('layerFromHistory', () => {
  const rows: ImageHistoryDto[] = [
    {
      Id: BUSYBOX_ID,
      Created: 1684449257,
      CreatedBy: '/bin/sh -c #(nop)  CMD ["sh"]',
      Tags: ['busybox:latest'],
      Size: 0,
      Comment: '',
    },
    {
      Id: '<missing>',
      Created: 1684449256,
      CreatedBy: '/bin/sh -c #(nop) ADD file:8d5b4b4a1d47e6a2b5f4c1b2a3e9f0c1d2e3f4a5b6c7d8e9f0a1b2c3d4e5f6a7 in / ',
      Tags: null,
      Size: 4261550,
      Comment: '',
    },
    {
      Id: '<missing>',
      Created: 1700000000,
      CreatedBy: '',
      Tags: null,
      Size: 12,
      Comment: 'Imported from -',
    },
  ];

  it.each<[number, string | undefined, string, number, string, string]>([
    [0, BUSYBOX_ID, '2023-05-18T22:34:17.000Z', 0, '/bin/sh -c #(nop)  CMD ["sh"]', ''],
    [1, undefined, '2023-05-18T22:34:16.000Z', 4261550, rows[1].CreatedBy, ''],
    [2, undefined, '2023-11-14T22:13:20.000Z', 12, '', 'Imported from -'],
  ])('row %i', (index, id, created, size, createdBy, comment) => {
    const layer = layerFromHistory(rows[index]);
    expect(layer).toEqual({ id, created: new Date(created), createdBy, size, comment });
  });

  it.each<[string, string]>([
    ['empty', ''],
    ['<missing>', '<missing>'],
  ])('reads an %s Id as no id', (_name, id) => {
    expect(layerFromHistory({ ...rows[0], Id: id }).id).toBeUndefined();
  });
});

describe('imageFromInspect with daemons that omit the creation time', () => {
  // BUG (src/schema/image/image.mapper.ts imageFromInspect): Engine API >= 1.44
  // (dockql negotiates up to 1.45) sends Created: "" for an image without a
  // creation time (moby/moby#47374). new Date("") is an Invalid Date, which the
  // DateTime scalar refuses to serialize, so the non-null Image.created fails the
  // whole image. Older API versions send Go's zero time there instead.
  it('never returns an Invalid Date for Created ""', () => {
    const created = imageFromInspect(inspect({ Created: '' })).created;
    expect(Number.isNaN(created.getTime())).toBe(false);
  });
});
