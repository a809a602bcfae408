import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { sampleMatchingPattern } from '../../lib/events/index.js';

describe('sampleMatchingPattern', () => {
  it('takes the first allowed value of each field, nested objects included', () => {
    assert.deepEqual(sampleMatchingPattern({ source: ['orders', 'billing'], 'detail-type': ['OrderPlaced'], detail: { status: ['new'], item: { sku: ['A1'] } } }), {
      source: 'orders',
      'detail-type': 'OrderPlaced',
      detail: { status: 'new', item: { sku: 'A1' } },
    });
  });

  it('gives values that pass content filters', () => {
    const sample = sampleMatchingPattern({
      prefix: [{ prefix: 'img/' }],
      suffix: [{ suffix: '.png' }],
      caseless: [{ 'equals-ignore-case': 'Yes' }],
      wildcard: [{ wildcard: 'a*z' }],
      above: [{ numeric: ['>', 100] }],
      range: [{ numeric: ['>=', 5, '<', 6] }],
      below: [{ numeric: ['<', 0] }],
      notThese: [{ 'anything-but': ['other', 'x'] }],
      notNumbers: [{ 'anything-but': [1, 2] }],
      notPrefixed: [{ 'anything-but': { prefix: 'exa' } }],
      present: [{ exists: true }],
      absent: [{ exists: false }],
      address: [{ cidr: '10.0.0.0/24' }],
      nothing: [null],
    });
    assert.equal(sample['prefix'], 'img/');
    assert.equal(sample['suffix'], '.png');
    assert.equal(sample['caseless'], 'Yes');
    assert.equal(sample['wildcard'], 'az');
    assert.ok((sample['above'] as number) > 100);
    assert.ok((sample['range'] as number) >= 5 && (sample['range'] as number) < 6);
    assert.ok((sample['below'] as number) < 0);
    assert.ok(!['other', 'x'].includes(sample['notThese'] as string));
    assert.ok(![1, 2].includes(sample['notNumbers'] as number));
    assert.ok(!(sample['notPrefixed'] as string).startsWith('exa'));
    assert.equal(typeof sample['present'], 'string');
    assert.ok(!('absent' in sample));
    assert.equal(sample['address'], '10.0.0.0');
    assert.equal(sample['nothing'], null);
  });

  it('follows the first branch of $or', () => {
    assert.deepEqual(sampleMatchingPattern({ detail: { $or: [{ a: ['1'] }, { b: ['2'] }] } }), { detail: { a: '1' } });
  });
});
