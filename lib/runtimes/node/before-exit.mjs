// The one 'beforeExit' listener. Node emits 'beforeExit' when the event loop has
// nothing left to do; Lambda's Node.js runtime uses that moment to finish an invocation
// that waits for an empty event loop (callbacks with callbackWaitsForEmptyEventLoop), or
// whose handler never finished. Posting to the Runtime API makes the loop busy again.
// https://nodejs.org/api/process.html#event-beforeexit

/** @type {() => void} */
let listener = () => {};

/** Installs the process listener; call once. */
export function installBeforeExit() {
  process.on('beforeExit', () => listener());
}

/**
 * What to do the next time the event loop empties.
 * @param {() => void} next
 */
export function setBeforeExit(next) {
  listener = next;
}

/** Nothing to do when the event loop empties: the process may exit. */
export function resetBeforeExit() {
  listener = () => {};
}
