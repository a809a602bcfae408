// Hangs past its 2-second timeout: the caller gets Sandbox.Timedout.
import { setTimeout as sleep } from 'node:timers/promises';

export const handler = async (event) => {
  const ms = event?.sleepMs ?? 60_000;
  console.log(`Sleeping ${ms} ms`);
  await sleep(ms);
  return { sleptMs: ms };
};
