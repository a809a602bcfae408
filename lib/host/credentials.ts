import { readFile } from 'node:fs/promises';
import { homedir } from 'node:os';
import { join } from 'node:path';
import type { AwsCredentials } from '../environment/index.js';
import { CdkLocalError, ErrorCodes } from '../errors.js';

/** Options of {@link resolveCredentials}. */
export interface ResolveCredentialsOptions {
  /** A profile named on the command line; beats the environment. */
  readonly profile?: string;
  /** @default process.env */
  readonly env?: NodeJS.ProcessEnv;
}

type IniSections = Map<string, Map<string, string>>;

function parseIni(text: string): IniSections {
  const sections: IniSections = new Map();
  let current: Map<string, string> | undefined;
  for (const raw of text.split(/\r?\n/)) {
    const line = raw.trim();
    if (line === '' || line.startsWith('#') || line.startsWith(';')) continue;
    const header = /^\[(.+)\]$/.exec(line);
    if (header?.[1] !== undefined) {
      current = new Map();
      sections.set(header[1].trim(), current);
      continue;
    }
    const eq = line.indexOf('=');
    if (eq > 0 && current !== undefined) current.set(line.slice(0, eq).trim(), line.slice(eq + 1).trim());
  }
  return sections;
}

async function readIni(path: string): Promise<IniSections> {
  try {
    return parseIni(await readFile(path, 'utf8'));
  } catch {
    return new Map();
  }
}

/**
 * The user's own AWS credentials, found where the AWS SDK looks for them: a profile named
 * with `--profile`, else `AWS_ACCESS_KEY_ID`/`AWS_SECRET_ACCESS_KEY`, else the profile
 * `AWS_PROFILE` (or `default`) in the shared credentials and config files. A profile's own
 * keys are read directly; a profile that signs in with SSO, assumes a role or runs a
 * credential process goes through the AWS SDK's provider. Undefined when there are none: the
 * function then runs without credentials.
 */
export async function resolveCredentials(options: ResolveCredentialsOptions = {}): Promise<AwsCredentials | undefined> {
  const env = options.env ?? process.env;
  if (options.profile === undefined && env.AWS_ACCESS_KEY_ID && env.AWS_SECRET_ACCESS_KEY) {
    return {
      accessKeyId: env.AWS_ACCESS_KEY_ID,
      secretAccessKey: env.AWS_SECRET_ACCESS_KEY,
      ...(env.AWS_SESSION_TOKEN ? { sessionToken: env.AWS_SESSION_TOKEN } : {}),
    };
  }
  const profile = options.profile ?? env.AWS_PROFILE ?? 'default';
  const credentialsFile = env.AWS_SHARED_CREDENTIALS_FILE ?? join(homedir(), '.aws', 'credentials');
  const configFile = env.AWS_CONFIG_FILE ?? join(homedir(), '.aws', 'config');
  const [credentials, config] = await Promise.all([readIni(credentialsFile), readIni(configFile)]);
  const section = credentials.get(profile) ?? config.get(profile === 'default' ? 'default' : `profile ${profile}`);
  const accessKeyId = section?.get('aws_access_key_id');
  const secretAccessKey = section?.get('aws_secret_access_key');
  if (accessKeyId !== undefined && secretAccessKey !== undefined) {
    const sessionToken = section?.get('aws_session_token');
    return { accessKeyId, secretAccessKey, ...(sessionToken === undefined ? {} : { sessionToken }) };
  }
  if (section !== undefined && SOURCE_SETTINGS.some((setting) => section.has(setting))) {
    return resolveWithSdk(profile, section, credentialsFile, configFile);
  }
  // Only a profile the user named is an error; without one, the function runs without credentials.
  if (options.profile === undefined) return undefined;
  if (section === undefined) {
    throw new CdkLocalError(
      ErrorCodes.USAGE,
      `No profile '${profile}' in ${credentialsFile} or ${configFile}: check the name, or leave out --profile to use AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY.`,
    );
  }
  throw new CdkLocalError(
    ErrorCodes.USAGE,
    `Profile '${profile}' has neither keys nor a way to get them (sso_session, role_arn, credential_process, ...): add them, or export AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY and AWS_SESSION_TOKEN instead.`,
  );
}

/** Settings of a profile whose credentials come from elsewhere than its own keys. */
const SOURCE_SETTINGS = ['sso_session', 'sso_start_url', 'role_arn', 'source_profile', 'credential_source', 'credential_process', 'web_identity_token_file', 'login_session'];

/**
 * Credentials of a profile that signs in with IAM Identity Center (SSO), assumes a role, or runs
 * a credential process, through the AWS SDK's own provider: it reads the SSO token cache and
 * calls the SSO portal (`AWS_ENDPOINT_URL_SSO` overrides where), STS, or the process. Loaded only
 * for such a profile, so that the command line does not pay for it at every start.
 */
async function resolveWithSdk(profile: string, section: Map<string, string>, credentialsFile: string, configFile: string): Promise<AwsCredentials> {
  const { fromIni } = await import('@aws-sdk/credential-provider-ini');
  try {
    const found = await fromIni({ profile, filepath: credentialsFile, configFilepath: configFile, ignoreCache: true })();
    return { accessKeyId: found.accessKeyId, secretAccessKey: found.secretAccessKey, ...(found.sessionToken === undefined ? {} : { sessionToken: found.sessionToken }) };
  } catch (cause) {
    if (section.has('sso_session') || section.has('sso_start_url')) {
      throw new CdkLocalError(ErrorCodes.CREDENTIALS_FAILED, `Profile '${profile}' signs in with AWS IAM Identity Center, and its session has expired or was never started: run 'aws sso login --profile ${profile}', then try again.`, { cause });
    }
    throw new CdkLocalError(ErrorCodes.CREDENTIALS_FAILED, `Profile '${profile}' gave no credentials: fix the profile, or export AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY and AWS_SESSION_TOKEN instead.`, { cause });
  }
}
