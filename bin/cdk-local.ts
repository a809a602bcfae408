#!/usr/bin/env node
import { runCli } from '../lib/cli/index.js';

// The command line runs from a bundle; with --debug, stack traces point into the sources.
if (process.argv.includes('--debug')) process.setSourceMapsEnabled(true);
// The AWS SDK inside cdk-local warns about the Node.js majors its future releases drop; that is
// cdk-local's concern, not its users' (a function's own SDK still warns in its own process).
process.env['AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED'] ??= 'true';

process.exitCode = await runCli(process.argv.slice(2));
