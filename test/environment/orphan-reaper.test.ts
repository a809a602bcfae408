// What the orphan reaper ends and removes, and what it must leave alone: only processes
// and directories that name an owner that no longer runs (a dead pid, or a live pid that
// started at another time, i.e. recycled).
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { mkdir, mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { reapOrphans } from '../../lib/environment/orphan-reaper.js';
import { currentOwner, ENVIRONMENT_MARKER_VARIABLE, formatOwner } from '../../lib/environment/process-marker.js';

const skip = process.platform === 'linux' ? false : 'the reaper reads /proc';

/** The state letter of a process (`S`, `T`, `Z`), undefined when it is gone. */
async function stateOf(child: ChildProcess): Promise<string | undefined> {
  const stat = await readFile(`/proc/${child.pid}/stat`, 'utf8').catch(() => undefined);
  return stat?.slice(stat.lastIndexOf(')') + 2, stat.lastIndexOf(')') + 3);
}

describe('reapOrphans', { skip }, () => {
  let tmp: string;
  const children: ChildProcess[] = [];
  const self = currentOwner();
  // Our own pid with another start time: a recycled pid, whose first owner is dead.
  const deadOwner = `${self.pid}-${Number(self.startTime) + 1}`;

  const startSleep = (marker: string | undefined): ChildProcess => {
    const env: NodeJS.ProcessEnv = { PATH: process.env.PATH };
    if (marker !== undefined) env[ENVIRONMENT_MARKER_VARIABLE] = marker;
    const child = spawn('sleep', ['1000'], { env, stdio: 'ignore' });
    children.push(child);
    return child;
  };

  before(async () => {
    tmp = await mkdtemp(join(tmpdir(), 'cdk-local-reaper-test-'));
  });

  after(async () => {
    for (const child of children) child.kill('SIGKILL');
    await rm(tmp, { recursive: true, force: true });
  });

  it('kills the processes of a dead owner, running or stopped, and leaves a live owner’s and unmarked ones', async () => {
    const orphan = startSleep(`${deadOwner}-1`);
    const stoppedOrphan = startSleep(`${deadOwner}-2`);
    const ours = startSleep(`${formatOwner(self)}-1`);
    const unmarked = startSleep(undefined);
    const malformed = startSleep('not-a-marker');
    await Promise.all(children.map((child) => once(child, 'spawn')));
    stoppedOrphan.kill('SIGSTOP');

    const orphanExit = once(orphan, 'exit');
    const stoppedExit = once(stoppedOrphan, 'exit');
    const result = await reapOrphans({ tmpDirectory: tmp });
    // Others' orphans on this machine may be reaped along with these.
    assert.ok(result.processes.includes(orphan.pid!) && result.processes.includes(stoppedOrphan.pid!), `reaped: ${result.processes.join(', ')}`);
    assert.deepEqual(await orphanExit, [null, 'SIGKILL']);
    assert.deepEqual(await stoppedExit, [null, 'SIGKILL']);
    for (const child of [ours, unmarked, malformed]) assert.match((await stateOf(child)) ?? 'gone', /^[RS]$/, `pid ${child.pid} is left alone`);
  });

  it('removes a dead owner’s sandbox directories, and only those', async () => {
    const dead = join(tmp, `cdk-local-sandbox-${deadOwner}-AbC123`);
    const live = join(tmp, `cdk-local-sandbox-${formatOwner(self)}-XyZ789`);
    const unnamed = join(tmp, 'cdk-local-sandbox-Qw3rTy');
    const other = join(tmp, `something-else-${deadOwner}-AbC123`);
    for (const directory of [dead, live, unnamed, other]) await mkdir(join(directory, 'environment-1'), { recursive: true });
    const result = await reapOrphans({ tmpDirectory: tmp });
    assert.deepEqual(result.directories, [dead]);
    assert.deepEqual((await readdir(tmp)).sort(), ['cdk-local-sandbox-Qw3rTy', `cdk-local-sandbox-${formatOwner(self)}-XyZ789`, `something-else-${deadOwner}-AbC123`].sort());
  });
});
