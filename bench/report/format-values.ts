/** Milliseconds with the precision a reader needs: `0.112 ms`, `4.81 ms`, `312 ms`. */
export function formatMs(ms: number): string {
  if (ms < 1) return `${ms.toFixed(3)} ms`;
  if (ms < 100) return `${ms.toFixed(2)} ms`;
  return `${Math.round(ms)} ms`;
}

/** `123.4 MB` */
export function formatMb(mb: number): string {
  return `${mb.toFixed(1)} MB`;
}

/** `2.35×` */
export function formatRatio(ratio: number): string {
  return `${ratio.toFixed(2)}×`;
}

/** `1,234/s` */
export function formatPerSecond(perSecond: number): string {
  return `${Math.round(perSecond).toLocaleString('en-US')}/s`;
}
