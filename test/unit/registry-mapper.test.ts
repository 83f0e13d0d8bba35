import { createLimiter } from '../../src/registry/limit';
import { lazyRepository, lazyTag, localImageFor, memo, sortedTags } from '../../src/schema/registry/registry.mapper';
import type { Image, Tag } from '../../src/schema/image/image.type';

const image = (id: string, repoTags: string[], repoDigests: string[] = []): Image => ({
  id,
  shortId: id.slice(0, 12),
  repoTags,
  repoDigests,
  created: new Date(0),
  size: 0,
  dangling: repoTags.length === 0,
  labels: [],
});
const REPO = '127.0.0.1:5000/team/app';
const D1 = `sha256:${'1'.repeat(64)}`;
const D2 = `sha256:${'2'.repeat(64)}`;

describe('localImageFor (Tag.image of a registry tag)', () => {
  it('finds the image that recorded the digest in this repository, whatever its tags', () => {
    const pushed = image('a', [], [`${REPO}@${D1}`]);
    expect(localImageFor([image('b', [`${REPO}:1`]), pushed], REPO, `${REPO}:1`, D1)).toBe(pushed);
  });

  it('falls back to the image tagged with the reference when none recorded the digest', () => {
    const tagged = image('b', [`${REPO}:1`]);
    expect(localImageFor([tagged], REPO, `${REPO}:1`, D1)).toBe(tagged);
    expect(localImageFor([tagged], REPO, `${REPO}:1`, null)).toBe(tagged);
  });

  it('does not pass off an image that recorded another digest here as the registry one', () => {
    expect(localImageFor([image('old', [`${REPO}:1`], [`${REPO}@${D2}`])], REPO, `${REPO}:1`, D1)).toBeNull();
  });

  it('answers null when no local image matches; a digest of another repository does not count', () => {
    expect(localImageFor([image('x', ['other:1'], [`127.0.0.1:5000/other@${D1}`])], REPO, `${REPO}:1`, D1)).toBeNull();
    expect(localImageFor([], REPO, `${REPO}:1`, D1)).toBeNull();
  });
});

describe('lazy registry objects', () => {
  it('looks a tag digest up only when read, once, sharing it with the image lookup', async () => {
    let heads = 0;
    const digest = memo(async () => {
      heads++;
      return D1;
    });
    const tag = lazyTag('1', `${REPO}:1`, digest, async () => ((await digest()) === D1 ? image('a', []) : null));
    expect(tag.name).toBe('1');
    expect(heads).toBe(0);
    expect(await (tag.digest as unknown as Promise<string>)).toBe(D1);
    expect(await (tag.image as unknown as Promise<Image>)).toMatchObject({ id: 'a' });
    expect(await (tag.digest as unknown as Promise<string>)).toBe(D1);
    expect(heads).toBe(1);
  });

  it('lists a repository’s tags only when read', async () => {
    let lists = 0;
    const repo = lazyRepository(REPO, async () => {
      lists++;
      return [];
    });
    expect(repo.name).toBe(REPO);
    expect(lists).toBe(0);
    await repo.tags;
    await repo.tags;
    expect(lists).toBe(1);
  });

  it('sorts tags by name', () => {
    const t = (name: string) => ({ name, reference: name }) as Tag;
    expect(sortedTags([t('b'), t('a'), t('10')]).map((x) => x.name)).toEqual(['10', 'a', 'b']);
  });
});

describe('createLimiter', () => {
  it('runs at most n tasks at once, in order, and keeps going after failures', async () => {
    const limit = createLimiter(2);
    let running = 0;
    let max = 0;
    const order: number[] = [];
    const task = (i: number) => async () => {
      running++;
      max = Math.max(max, running);
      await new Promise((r) => setTimeout(r, 5));
      running--;
      order.push(i);
      if (i === 1) throw new Error('boom');
      return i;
    };
    const results = await Promise.allSettled([0, 1, 2, 3, 4].map((i) => limit(task(i))));
    expect(max).toBe(2);
    expect(results.map((r) => r.status)).toEqual(['fulfilled', 'rejected', 'fulfilled', 'fulfilled', 'fulfilled']);
    expect(order).toEqual([0, 1, 2, 3, 4]);
    // A newcomer after the queue drained runs at once.
    expect(await limit(async () => 'later')).toBe('later');
  });
});
