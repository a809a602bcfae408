// The example CDK app that cdk.json at the repository root points to.
import { App } from 'aws-cdk-lib';
import { ApiStage } from './lib/api-stage.js';
import { DemoStack } from './lib/demo-stack.js';

const app = new App();
// No account: the stacks stay environment-agnostic; the region is the CLI's default if it has one.
const env = { region: process.env.CDK_DEFAULT_REGION };

new DemoStack(app, 'DemoStack', { env });
new ApiStage(app, 'Prod', { env });

app.synth();
