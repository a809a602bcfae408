import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { EnvironmentLifecycle, LIFECYCLE_TRANSITIONS, type LifecycleState } from '../../lib/environment/environment-state.js';

const STATES = Object.keys(LIFECYCLE_TRANSITIONS) as LifecycleState[];

/** A lifecycle brought to `state` along allowed moves. */
function lifecycleIn(state: LifecycleState): EnvironmentLifecycle {
  const paths: Record<LifecycleState, LifecycleState[]> = {
    uninitialized: [],
    initializing: ['initializing'],
    'init-failed': ['initializing', 'init-failed'],
    invoking: ['initializing', 'invoking'],
    idle: ['initializing', 'invoking', 'idle'],
    frozen: ['initializing', 'invoking', 'idle', 'frozen'],
    shutdown: ['shutdown'],
  };
  const lifecycle = new EnvironmentLifecycle();
  for (const next of paths[state]) lifecycle.moveTo(next);
  assert.equal(lifecycle.state, state);
  return lifecycle;
}

describe('the lifecycle of an execution environment', () => {
  it('starts uninitialized and goes cold start → warm → frozen → thawed invocation → reset', () => {
    const lifecycle = new EnvironmentLifecycle();
    assert.equal(lifecycle.state, 'uninitialized');
    const path: [LifecycleState, string][] = [
      ['initializing', 'invoking'],
      ['invoking', 'invoking'],
      ['idle', 'idle'],
      ['frozen', 'idle'],
      ['invoking', 'invoking'],
      ['uninitialized', 'uninitialized'],
    ];
    for (const [next, seen] of path) {
      lifecycle.moveTo(next);
      assert.equal(lifecycle.publicState, seen, `${next} is seen as ${seen}`);
    }
  });

  it('a failed init is retried inside the invocation, and shows as part of it', () => {
    const lifecycle = lifecycleIn('init-failed');
    assert.equal(lifecycle.publicState, 'invoking');
    assert.equal(lifecycle.moveTo('initializing'), 'init-failed');
    lifecycle.moveTo('invoking');
    assert.equal(lifecycle.state, 'invoking');
  });

  it('rejects every move that the table does not list, and leaves the state as it was', () => {
    let rejected = 0;
    for (const from of STATES) {
      for (const to of STATES) {
        const lifecycle = lifecycleIn(from);
        if (LIFECYCLE_TRANSITIONS[from].includes(to)) {
          assert.equal(lifecycle.moveTo(to), from);
          assert.equal(lifecycle.state, to);
        } else {
          assert.equal(lifecycle.canMoveTo(to), false);
          assert.throws(() => lifecycle.moveTo(to), new RegExp(`cannot go from ${from} to ${to}`));
          assert.equal(lifecycle.state, from);
          rejected += 1;
        }
      }
    }
    // Among them, moves that would skip a phase: running without an init, thawing without an invocation, leaving shutdown.
    for (const [from, to] of [['uninitialized', 'invoking'], ['frozen', 'idle'], ['shutdown', 'idle'], ['invoking', 'frozen'], ['init-failed', 'invoking'], ['idle', 'init-failed']] as const) {
      assert.throws(() => lifecycleIn(from).moveTo(to), new RegExp(`cannot go from ${from} to ${to}`));
    }
    assert.ok(rejected > 20, `${rejected} moves rejected`);
  });

  it('can be shut down from every state but shutdown, and never leaves it', () => {
    for (const from of STATES) {
      const lifecycle = lifecycleIn(from);
      if (from === 'shutdown') {
        assert.equal(lifecycle.moveUnlessShutdown('idle'), false);
        assert.equal(lifecycle.state, 'shutdown');
      } else {
        lifecycle.moveTo('shutdown');
        assert.equal(lifecycle.publicState, 'shutdown');
      }
    }
  });
});
