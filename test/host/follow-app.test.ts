import assert from 'node:assert/strict';
import { access, mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { after, before, describe, it } from 'node:test';
import { followApp, LocalLambda, type Reload } from '../../lib/host/index.js';
import { REPO_ROOT } from '../helpers/example-app.js';

const APP = `import { createRequire } from 'node:module';
const require = createRequire(${JSON.stringify(join(REPO_ROOT, 'package.json'))});
const { App, Duration, Stack } = require('aws-cdk-lib');
const lambda = require('aws-cdk-lib/aws-lambda');
const app = new App();
const stack = new Stack(app, 'Followed');
new lambda.Function(stack, 'Answer', {
  runtime: lambda.Runtime.NODEJS_20_X,
  handler: 'index.handler',
  code: lambda.Code.fromAsset(new URL('./handler', import.meta.url).pathname),
  timeout: Duration.seconds(120),
});
app.synth();
`;

// An invocation given { releaseFile } holds until that file exists: it is under way for as long as the test wants.
const handler = (answer: string): string => `const { existsSync } = require('node:fs');
exports.handler = async (event) => {
  while (event.releaseFile !== undefined && !existsSync(event.releaseFile)) await new Promise((resolve) => setTimeout(resolve, 50));
  return { answer: ${JSON.stringify(answer)} };
};
`;

describe('followApp', () => {
  let project: string;
  before(async () => {
    project = await mkdtemp(join(tmpdir(), 'cdk-local-follow-'));
    await mkdir(join(project, 'handler'));
    await writeFile(join(project, 'handler', 'index.js'), handler('first'));
    await writeFile(join(project, 'app.mjs'), APP);
    await writeFile(join(project, 'cdk.json'), JSON.stringify({ app: 'node app.mjs' }));
  });
  after(async () => rm(project, { recursive: true, force: true }));

  it('an invocation under way finishes on the old code, one held during the reload runs the new code', async () => {
    const options = { cwd: project, credentials: 'none' as const, sandbox: false, cacheDirectory: join(project, '.cache') };
    await using local = await LocalLambda.fromApp(options);
    const reloads: Reload[] = [];
    const errors: unknown[] = [];
    const followed = await followApp({ local, options, onReload: (reload) => reloads.push(reload), onError: (error) => errors.push(error), debounceMs: 100 });
    try {
      const releaseFile = join(project, '.release');
      const underWay = local.invoke('Answer', { event: { releaseFile } });
      // The first environment has the invocation once it is under way.
      while (local.environmentCount('Answer').current === 0) await sleep(50);

      const resume = local.pause();
      const held = local.invoke('Answer');
      await writeFile(join(project, 'handler', 'index.js'), handler('second'));
      while (reloads.length === 0 && errors.length === 0) await sleep(100);
      assert.deepEqual(errors, []);
      assert.deepEqual(reloads[0]!.changed, ['Followed/Answer']);
      assert.deepEqual(reloads[0]!.files, ['handler/index.js']);
      resume();
      assert.deepEqual((await held).payload, { answer: 'second' });

      await writeFile(releaseFile, '');
      await access(releaseFile);
      assert.deepEqual((await underWay).payload, { answer: 'first' }, 'the invocation under way finished on the code it started with');
    } finally {
      await followed.close();
    }
  });
});
