import { findSandboxedProcess, measureTreeRssBytes, readPeakRssBytes } from './process-tree.js';

const MEMORY_SAMPLE_INTERVAL_MS = 25;

/** The memory of an environment's runtime: its peak over the environment's life, and its limit during an invocation. */
export class MemoryWatch {
  #peakBytes = 0;
  #peakPidOf: { readonly launched: number; readonly runtime: number } | undefined;

  /** The most the runtime's process tree was seen to use, in bytes. */
  get peakBytes(): number {
    return this.#peakBytes;
  }

  /** Samples the memory of the runtime's process tree every period; `outOfMemory` settles when it goes over the limit. */
  watch(pid: number, limitBytes: number): { outOfMemory: Promise<'out-of-memory'>; stop: () => void } {
    let sampling = false;
    let timer: NodeJS.Timeout | undefined;
    // The first sample waits a period: a short invocation is measured once, at its end.
    const outOfMemory = new Promise<'out-of-memory'>((resolve) => {
      timer = setInterval(() => {
        if (sampling) return;
        sampling = true;
        void this.#sample(pid).then((rss) => {
          sampling = false;
          if (rss > limitBytes) resolve('out-of-memory');
        });
      }, MEMORY_SAMPLE_INTERVAL_MS);
    });
    return { outOfMemory, stop: () => clearInterval(timer) };
  }

  /** Keeps the runtime process's own high-water mark (VmHWM): one read of /proc. */
  async samplePeak(pid: number): Promise<void> {
    const peak = await readPeakRssBytes(this.#peakPid(pid));
    if (peak > this.#peakBytes) this.#peakBytes = peak;
  }

  /** Measures the runtime's process tree and keeps the peak; returns the current size. */
  async #sample(pid: number): Promise<number> {
    const rss = Math.max(await measureTreeRssBytes(pid), await readPeakRssBytes(this.#peakPid(pid)));
    if (rss > this.#peakBytes) this.#peakBytes = rss;
    return rss;
  }

  /** The runtime's own pid, below a sandbox's processes; looked up once per runtime. */
  #peakPid(pid: number): number {
    if (this.#peakPidOf?.launched !== pid) this.#peakPidOf = { launched: pid, runtime: findSandboxedProcess(pid) };
    return this.#peakPidOf.runtime;
  }
}
