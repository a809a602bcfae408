import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { setImmediate as nextTurn } from 'node:timers/promises';
import { Latch } from '../../lib/environment/latch.js';

describe('Latch', () => {
  it('happens once: waits before and after it settle with the first value', async () => {
    const latch = new Latch<string>();
    const early = latch.wait(new AbortController().signal);
    assert.equal(latch.happened, false);
    latch.fire('first');
    latch.fire('second');
    assert.equal(latch.happened, true);
    assert.equal(await early, 'first');
    assert.equal(await latch.wait(new AbortController().signal), 'first');
  });

  it('a wait given up is not settled by what happens later', async () => {
    const latch = new Latch<string>();
    const stop = new AbortController();
    let settled = false;
    void latch.wait(stop.signal).then(() => {
      settled = true;
    });
    stop.abort();
    latch.fire('late');
    await nextTurn();
    assert.equal(settled, false);
    const kept = new AbortController();
    void latch.wait(kept.signal).then(() => {
      settled = true;
    });
    await nextTurn();
    assert.equal(settled, true, 'a new wait after it happened settles');
  });
});
