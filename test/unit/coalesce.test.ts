/** Chunks of an archive stream gathered into larger ones, with every byte kept in order. */
import { ChunkCoalescer } from '../../src/streams/coalesce';

describe('ChunkCoalescer', () => {
  it('hands back the joined bytes once the target is reached, and the rest at the end', () => {
    const c = new ChunkCoalescer(10);
    expect(c.add(Buffer.from('abcd'))).toBeUndefined();
    expect(c.add(Buffer.from('efgh'))).toBeUndefined();
    expect(c.add(Buffer.from('ijkl'))?.toString()).toBe('abcdefghijkl');
    expect(c.add(Buffer.from('mn'))).toBeUndefined();
    expect(c.take()?.toString()).toBe('mn');
    expect(c.take()).toBeUndefined();
  });

  it('passes a chunk that alone reaches the target without copying it', () => {
    const c = new ChunkCoalescer(4);
    const big = Buffer.from('0123456789');
    expect(c.add(big)).toBe(big);
  });
});
