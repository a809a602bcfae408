import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { describe, it } from 'node:test';
import { measureTreeRssBytes, readPeakRssBytes } from '../../lib/environment/process-tree.js';

const MB = 1024 * 1024;

// Holds 64 MB of touched memory, reports its resident size as Node measures it (libuv counts
// /proc pages with the kernel's own page size), and waits until its stdin closes.
const HOLDER = `
const held = Buffer.alloc(64 * 1024 * 1024, 1);
process.stdout.write(JSON.stringify({ rss: process.memoryUsage().rss, held: held.length }) + '\\n');
process.stdin.resume();
process.stdin.on('end', () => process.exit(0));
`;

describe('memory of a process tree', { skip: process.platform !== 'linux' && 'reads /proc' }, () => {
  it('is measured in bytes whatever the page size: it agrees with what the process itself sees', async () => {
    const holder = spawn(process.execPath, ['-e', HOLDER], { stdio: ['pipe', 'pipe', 'inherit'] });
    try {
      const [chunk] = (await once(holder.stdout, 'data')) as [Buffer];
      const reported = JSON.parse(chunk.toString()) as { rss: number };
      const measured = await measureTreeRssBytes(holder.pid!);
      const peak = await readPeakRssBytes(holder.pid!);
      assert.ok(reported.rss > 64 * MB, `the holder has ${reported.rss} bytes resident`);
      // A page size taken for 4 KiB on a 16 or 64 KiB kernel would be off by 4× or 16×.
      assert.ok(Math.abs(measured - reported.rss) < 16 * MB, `measured ${measured} bytes, the process reports ${reported.rss}`);
      assert.ok(peak >= measured - 16 * MB && peak < reported.rss + 16 * MB, `peak ${peak} bytes, the process reports ${reported.rss}`);
    } finally {
      holder.stdin.end();
      if (holder.exitCode === null) await once(holder, 'exit');
    }
  });
});
