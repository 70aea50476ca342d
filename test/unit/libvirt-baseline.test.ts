import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { parseDomCapabilities } from '../../src/probe/domcaps.ts';
import {
  baselineInput,
  compareBaselines,
  hostModelCpu,
  namedCpu,
  parseBaselineCpu,
} from '../../src/probe/libvirt-baseline.ts';

const caps12 = readFileSync('test/fixtures/libvirt/debian-12-domcapabilities.xml', 'utf8');
const caps13 = readFileSync('test/fixtures/libvirt/debian-13-domcapabilities.xml', 'utf8');
const models = new Map([
  ['node-a', parseDomCapabilities(caps12).customModels],
  ['node-b', parseDomCapabilities(caps13).customModels],
]);

describe("libvirt's pool baseline next to hwqual's", () => {
  it('the input: one <cpu> per member, named models or each host-model, no wrapper element', () => {
    const input = baselineInput([
      { host: 'node-a', cpu: namedCpu('Westmere') },
      { host: 'node-b', cpu: namedCpu('Nehalem') },
    ]);
    expect(input.match(/<cpu /g)).toHaveLength(2);
    expect(input).toContain('<!-- node-b -->');
    const hm = hostModelCpu(caps12)!;
    expect(hm).toMatch(/^<cpu mode='custom' match='exact'>/);
    expect(parseBaselineCpu(hm).model).toBe(parseDomCapabilities(caps12).hostModel!.name);
  });

  it('the same model under two names agrees; another model or no answer is a difference, with both answers', () => {
    const answer = (host: string, model: string, features: Array<{ policy: string; name: string }> = []) => ({
      host,
      libvirtVersion: host === 'node-a' ? '9.0.0' : '11.3.0',
      cpu: { model, features },
    });
    const [a, b] = compareBaselines(
      'Westmere-v1',
      [answer('node-a', 'Westmere'), answer('node-b', 'Westmere')],
      models,
    );
    expect(a).toMatchObject({ same: true, libvirt: 'Westmere', libvirtAsQemu: 'Westmere-v1' });
    expect(b!.detail).toBe(
      "libvirt 11.3.0 on node-b: Westmere (= Westmere-v1), the same model as hwqual's Westmere-v1",
    );
    const [nehalem] = compareBaselines(
      'Westmere-v1',
      [answer('node-a', 'Nehalem', [{ policy: 'require', name: 'aes' }])],
      models,
    );
    expect(nehalem).toMatchObject({ same: false, libvirt: 'Nehalem', libvirtAsQemu: 'Nehalem-v1' });
    expect(nehalem!.detail).toBe('libvirt 9.0.0 on node-a: Nehalem (Nehalem-v1) +aes; hwqual: Westmere-v1');
    const [err] = compareBaselines(
      'Westmere-v1',
      [{ host: 'node-a', libvirtVersion: '9.0.0', error: 'internal error: Unknown CPU feature cmpccxadd' }],
      models,
    );
    expect(err).toMatchObject({ same: false });
    expect(err!.detail).toMatch(/libvirt 9\.0\.0 on node-a computed no baseline: .*Unknown CPU feature cmpccxadd/);
  });
});
