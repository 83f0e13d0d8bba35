/** Metric label values stay bounded: plain operation names, error codes, capped sets, fixed job kinds. */
import { archiveDirectionOf, BoundedLabel, jobKindLabel, operationNameLabel, outcomeLabel } from '../../src/metrics/labels';
import { TransferJob } from '../../src/streams/transfer-jobs';

describe('operationNameLabel', () => {
  it('keeps plain GraphQL names of up to 64 characters', () => {
    expect(operationNameLabel('HostOverview')).toBe('HostOverview');
    expect(operationNameLabel('_x1')).toBe('_x1');
    expect(operationNameLabel('a'.repeat(64))).toBe('a'.repeat(64));
  });

  it('calls everything else anonymous', () => {
    for (const name of [undefined, null, '', '1abc', 'a'.repeat(65), 'with space', 'dash-ed', 'ünïcode', 'a\nb']) {
      expect(operationNameLabel(name)).toBe('anonymous');
    }
  });
});

describe('outcomeLabel', () => {
  it('is ok without errors and the first error code otherwise', () => {
    expect(outcomeLabel(undefined)).toBe('ok');
    expect(outcomeLabel([])).toBe('ok');
    expect(outcomeLabel([{ extensions: { code: 'NOT_FOUND' } }, { extensions: { code: 'FORBIDDEN' } }])).toBe('NOT_FOUND');
  });

  it('is UNKNOWN when the first error has no code that looks like one', () => {
    expect(outcomeLabel([{}])).toBe('UNKNOWN');
    expect(outcomeLabel([{ extensions: { code: 42 } }])).toBe('UNKNOWN');
    expect(outcomeLabel([{ extensions: { code: 'lower case {injected="x"}' } }])).toBe('UNKNOWN');
  });
});

describe('BoundedLabel', () => {
  it('keeps the first values up to its capacity and calls later new ones other', () => {
    const label = new BoundedLabel(2);
    expect(label.of('a')).toBe('a');
    expect(label.of('b')).toBe('b');
    expect(label.of('c')).toBe('other');
    expect(label.of('a')).toBe('a');
  });
});

describe('job labels', () => {
  const job = (kind: 'pull' | 'push' | 'archive', operation?: string) => new TransferJob({ kind, key: 'k', ref: 'r', details: operation ? { operation } : undefined });

  it('names pulls and pushes by kind and archive jobs by operation', () => {
    expect(jobKindLabel(job('pull'))).toBe('pull');
    expect(jobKindLabel(job('push'))).toBe('push');
    expect(jobKindLabel(job('archive', 'SAVE'))).toBe('save');
    expect(jobKindLabel(job('archive', 'IMPORT'))).toBe('import');
    expect(jobKindLabel(job('archive', 'SOMETHING_NEW'))).toBe('archive');
  });

  it('gives archive jobs a byte direction and pulls none', () => {
    expect(archiveDirectionOf(job('archive', 'SAVE'))).toBe('saved');
    expect(archiveDirectionOf(job('archive', 'EXPORT'))).toBe('exported');
    expect(archiveDirectionOf(job('archive', 'LOAD'))).toBe('loaded');
    expect(archiveDirectionOf(job('archive', 'IMPORT'))).toBe('imported');
    expect(archiveDirectionOf(job('archive', 'toString'))).toBeUndefined();
    expect(archiveDirectionOf(job('pull'))).toBeUndefined();
  });
});
