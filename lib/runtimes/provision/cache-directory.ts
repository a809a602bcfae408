import { homedir } from 'node:os';
import { join } from 'node:path';

/**
 * Where cdk-local keeps what it fetches for runtimes (the AWS SDK for JavaScript, Node.js
 * builds): `CDK_LOCAL_CACHE_DIR`, else `$XDG_CACHE_HOME/cdk-local`, else `~/.cache/cdk-local`.
 */
export function runtimeCacheDirectory(env: NodeJS.ProcessEnv = process.env): string {
  if (env.CDK_LOCAL_CACHE_DIR !== undefined && env.CDK_LOCAL_CACHE_DIR !== '') return env.CDK_LOCAL_CACHE_DIR;
  if (env.XDG_CACHE_HOME !== undefined && env.XDG_CACHE_HOME !== '') return join(env.XDG_CACHE_HOME, 'cdk-local');
  return join(homedir(), '.cache', 'cdk-local');
}
