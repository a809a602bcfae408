/**
 * The one place that says which region and account an app runs in when nothing else says:
 * the synth (`CDK_DEFAULT_REGION`, `CDK_DEFAULT_ACCOUNT`), the stacks that are
 * environment-agnostic, the functions' `AWS_REGION`, and the ARNs the servers answer with
 * all take them from here.
 */

/** The region when neither `--region` nor `AWS_REGION`/`AWS_DEFAULT_REGION` names one. */
export const DEFAULT_REGION = 'us-east-1';

/**
 * The account when neither `--account` nor `CDK_DEFAULT_ACCOUNT` names one. cdk-local does
 * not ask STS, so an environment-agnostic stack gets this placeholder, as in the AWS docs.
 */
export const DEFAULT_ACCOUNT = '123456789012';

/** `explicit`, else `AWS_REGION`, else `AWS_DEFAULT_REGION`, else {@link DEFAULT_REGION}. */
export function resolveRegion(explicit?: string, env: NodeJS.ProcessEnv = process.env): string {
  return nonEmpty(explicit) ?? nonEmpty(env['AWS_REGION']) ?? nonEmpty(env['AWS_DEFAULT_REGION']) ?? DEFAULT_REGION;
}

/** `explicit`, else `CDK_DEFAULT_ACCOUNT`, else {@link DEFAULT_ACCOUNT}. */
export function resolveAccount(explicit?: string, env: NodeJS.ProcessEnv = process.env): string {
  return nonEmpty(explicit) ?? nonEmpty(env['CDK_DEFAULT_ACCOUNT']) ?? DEFAULT_ACCOUNT;
}

function nonEmpty(value: string | undefined): string | undefined {
  return value === undefined || value === '' ? undefined : value;
}
