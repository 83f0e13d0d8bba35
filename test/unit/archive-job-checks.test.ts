/** Archive job input checks (before any job starts) and the parsing of the daemon's load/import answers. */
import { importedImageId, loadedImage } from '../../src/docker/archives';
import { checkImportChanges, checkImportMessage, checkSaveRefs, importTarget, nameSourceRef } from '../../src/schema/archive/archive-job.checks';

const ID = `sha256:${'ab'.repeat(32)}`;

describe('checkImportChanges', () => {
  it('takes the instructions the daemon applies on import, in any case, one per entry', () => {
    const ok = ['CMD ["/bin/cat", "/marker"]', 'entrypoint ["/bin/sh", "-c"]', 'ENV A=b C=d', 'EXPOSE 80/tcp', 'LABEL a=b', 'USER 1000:1000', 'VOLUME /data', 'WORKDIR /srv', 'ONBUILD RUN make', 'HEALTHCHECK NONE', 'ENV\tA=b'];
    expect(checkImportChanges(ok)).toEqual(ok);
    expect(checkImportChanges(null)).toEqual([]);
  });

  it.each([
    ['RUN rm -rf /', /RUN cannot be applied on import/],
    ['FROM scratch', /FROM cannot be applied/],
    ['CMD', /with an argument/],
    ['', /with an argument/],
    ['CMD ["sh"]\nRUN id', /without newlines/],
    ['CMD ["sh"]\r', /without newlines/],
    [`CMD ${'x'.repeat(5000)}`, /longer than 4096/],
  ])('refuses %j', (change, why) => {
    expect(() => checkImportChanges(['ENV A=b', change])).toThrow(why);
    try {
      checkImportChanges(['ENV A=b', change]);
    } catch (err) {
      expect((err as { extensions: Record<string, unknown> }).extensions).toMatchObject({ code: 'BAD_USER_INPUT', argument: 'changes' });
      expect((err as Error).message).toMatch(/^changes\[1\]/);
    }
  });

  it('refuses more than 64 changes', () => {
    expect(() => checkImportChanges(Array.from({ length: 65 }, () => 'ENV A=b'))).toThrow(/at most 64/);
  });
});

describe('checkImportMessage', () => {
  it('takes text with newlines and tabs, treats empty as none, refuses other control characters', () => {
    expect(checkImportMessage('line 1\n\tline 2')).toBe('line 1\n\tline 2');
    expect(checkImportMessage('')).toBeUndefined();
    expect(checkImportMessage(null)).toBeUndefined();
    expect(() => checkImportMessage('a\u0000b')).toThrow(/control characters/);
  });
});

describe('importTarget', () => {
  it('splits name[:tag] as docker import tags it, latest by default', () => {
    expect(importTarget('team/app:1')).toEqual({ repo: 'team/app', tag: '1', display: 'team/app:1' });
    expect(importTarget('docker.io/library/web')).toEqual({ repo: 'web', tag: 'latest', display: 'web:latest' });
    expect(importTarget('127.0.0.1:5000/x/y:2')).toEqual({ repo: '127.0.0.1:5000/x/y', tag: '2', display: '127.0.0.1:5000/x/y:2' });
  });

  it('refuses ids, digests and malformed refs', () => {
    expect(() => importTarget(ID)).toThrow(/image id/);
    expect(() => importTarget(`web@${ID}`)).toThrow(/not a digest/);
    expect(() => importTarget('Web:1')).toThrow(/lowercase/);
  });
});

describe('checkSaveRefs', () => {
  it('needs at least one valid ref and drops duplicates', () => {
    expect(checkSaveRefs(['a:1', 'b', 'a:1', ID])).toEqual(['a:1', 'b', ID]);
    expect(() => checkSaveRefs([])).toThrow(/at least one/);
    expect(() => checkSaveRefs(['a:1', 'a b'])).toThrow(/^refs\[1\]/);
  });
});

describe('nameSourceRef', () => {
  const image = { id: ID, repoTags: ['deadbeef:latest', 'web:1'] };
  it('keeps a name, and uses the full id for an id or an id prefix that matched by id', () => {
    expect(nameSourceRef('web:1', image)).toBe('web:1');
    expect(nameSourceRef(ID, image)).toBe(ID);
    expect(nameSourceRef('abab', image)).toBe(ID);
    expect(nameSourceRef('deadbeef', image)).toBe('deadbeef');
  });
});

describe("the daemon's answers", () => {
  it('loadedImage reads "Loaded image" lines by tag or id and nothing else', () => {
    expect(loadedImage({ stream: 'Loaded image: busybox:latest\n' })).toEqual({ ref: 'busybox:latest' });
    expect(loadedImage({ stream: `Loaded image ID: ${ID}\n` })).toEqual({ id: ID });
    expect(loadedImage({ status: 'Loading layer', progressDetail: { current: 1, total: 2 } })).toBeUndefined();
    expect(loadedImage({ stream: 'Loaded image: \n' })).toBeUndefined();
  });

  it('importedImageId reads the status line that is an image id', () => {
    expect(importedImageId({ status: ID })).toBe(ID);
    expect(importedImageId({ status: 'Importing', progressDetail: {} })).toBeUndefined();
    expect(importedImageId({ stream: ID })).toBeUndefined();
  });
});
