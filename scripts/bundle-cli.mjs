// Bundles the command line into one file, dist/bin/cdk-local.js, in place of the file tsc
// wrote: Node.js then loads one file instead of hundreds, which halves `cdk-local invoke`'s
// start-up (npm run bench). The library (dist/lib) stays unbundled.
import { build } from 'esbuild';
import { chmod } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';

const entry = fileURLToPath(new URL('../dist/bin/cdk-local.js', import.meta.url));

await build({
  entryPoints: [entry],
  outfile: entry,
  allowOverwrite: true,
  bundle: true,
  platform: 'node',
  format: 'esm',
  target: 'node20.19',
  sourcemap: true,
  // Less to parse at every start; names stay, so stack traces still read.
  minifyWhitespace: true,
  minifySyntax: true,
  // Only LocalLambda.fromStack loads aws-cdk-lib and constructs, never the command line; they stay
  // the user's. The Lambda client is loaded only to download a layer from outside the app, and the
  // AWS SDK's credential providers only for a profile without keys of its own (SSO, a role): the
  // command line does not parse them at every start.
  external: ['aws-cdk-lib', 'constructs', '@aws-sdk/client-lambda', '@aws-sdk/credential-provider-ini'],
  // Some bundled packages are CommonJS and call require() for Node's built-ins.
  banner: { js: "import { createRequire as __cdkLocalCreateRequire } from 'node:module'; const require = __cdkLocalCreateRequire(import.meta.url);" },
  logLevel: 'warning',
});

// `npx cdk-local` runs the file itself.
await chmod(entry, 0o755);
