/** Volume and network JSON to the schema's types, and the checks on volume names and labels. */
import 'reflect-metadata';
import { toNetwork } from '../../src/schema/network/network.service';
import { checkVolumeName, toLabelMap, toVolume } from '../../src/schema/volume/volume.service';

describe('volumes', () => {
  it('maps `docker volume inspect` output', () => {
    expect(
      toVolume({ Name: 'data', Driver: 'local', Mountpoint: '/var/lib/docker/volumes/data/_data', CreatedAt: '2026-11-28T07:35:47Z', Labels: { b: '2', a: '1' }, Scope: 'local', Options: null }),
    ).toEqual({ name: 'data', driver: 'local', mountpoint: '/var/lib/docker/volumes/data/_data', createdAt: new Date('2026-11-28T07:35:47Z'), labels: [{ key: 'a', value: '1' }, { key: 'b', value: '2' }], scope: 'local', options: [] });
    expect(toVolume({ Name: 'x', Driver: 'nfs', Mountpoint: '', Labels: null, Scope: 'global', CreatedAt: 'garbage' }).createdAt).toBeNull();
  });

  it.each(['ab', 'a.b_c-d', 'A1', 'f'.repeat(64)])('accepts the volume name %s', (name) => {
    expect(checkVolumeName('name', name)).toBe(name);
  });

  it.each(['a', '', '-a', '.a', 'a/b', 'a b', 'a\u0000b', 'x'.repeat(256)])('refuses the volume name %j', (name) => {
    expect(() => checkVolumeName('name', name)).toThrow(expect.objectContaining({ extensions: expect.objectContaining({ code: 'BAD_USER_INPUT' }) }));
  });

  it('turns labels into the daemon\'s map, refusing bad keys, control characters and duplicates', () => {
    expect(toLabelMap([{ key: 'a', value: '' }, { key: 'com.example/x', value: 'v=w' }])).toEqual({ a: '', 'com.example/x': 'v=w' });
    expect(toLabelMap(null)).toEqual({});
    expect(() => toLabelMap([{ key: 'a=b', value: '' }])).toThrow(/labels.key/);
    expect(() => toLabelMap([{ key: 'a', value: 'x\ny' }])).toThrow(/control characters/);
    expect(() => toLabelMap([{ key: 'a', value: '1' }, { key: 'a', value: '2' }])).toThrow(/given twice/);
    expect(() => toLabelMap(Array.from({ length: 101 }, (_, i) => ({ key: `k${i}`, value: '' })))).toThrow(/at most 100/);
  });
});

describe('networks', () => {
  it('maps `docker network inspect` output, with subnets and without empty strings', () => {
    expect(
      toNetwork({
        Name: 'app',
        Id: 'f'.repeat(64),
        Created: '2026-11-28T07:34:14.54889914Z',
        Scope: 'local',
        Driver: 'bridge',
        EnableIPv6: false,
        Internal: true,
        IPAM: { Driver: 'default', Config: [{ Subnet: '172.18.0.0/16', Gateway: '172.18.0.1' }] },
        Labels: { team: 'ops' },
      }),
    ).toEqual({
      id: 'f'.repeat(64),
      name: 'app',
      driver: 'bridge',
      scope: 'local',
      internal: true,
      attachable: false,
      ingress: false,
      ipv6Enabled: false,
      created: new Date('2026-11-28T07:34:14.548Z'),
      labels: [{ key: 'team', value: 'ops' }],
      subnets: [{ subnet: '172.18.0.0/16', gateway: '172.18.0.1', ipRange: null }],
    });
  });
});
