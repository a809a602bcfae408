import { Alphabets, stableCharacters } from './stable-characters.js';

/** Options of {@link generatePhysicalName}. */
export interface PhysicalNameOptions {
  /** The longest name the resource type accepts. @default 64 */
  readonly maxLength?: number;
  /** S3 buckets, ECR repositories and the like only take lower case. @default false */
  readonly lowercase?: boolean;
  /** Appended after the random part, e.g. `.fifo` for FIFO queues. @default '' */
  readonly suffix?: string;
  /** Leave the stack name out (CloudFormation does for secrets, SSM parameters, state machines). @default false */
  readonly withoutStackName?: boolean;
  /** Put before the name, e.g. `CFN-` for SSM parameters. @default '' */
  readonly prefix?: string;
}

const RANDOM_LENGTH = 13;

/**
 * The name CloudFormation would give a resource that has no name of its own:
 * `<stackName>-<logicalId>-<13 random upper-case alphanumerics>`, both parts truncated
 * to fit `maxLength`. The random part is a hash of stack and logical ID, so the name is
 * the same on every run (CloudFormation's differs on every deploy).
 * @see https://docs.aws.amazon.com/AWSCloudFormation/latest/UserGuide/aws-properties-name.html
 */
export function generatePhysicalName(stackName: string, logicalId: string, options: PhysicalNameOptions = {}): string {
  const maxLength = options.maxLength ?? 64;
  const prefix = options.prefix ?? '';
  const suffix = options.suffix ?? '';
  const random = stableCharacters(`${stackName}/${logicalId}`, RANDOM_LENGTH, Alphabets.UPPER_ALPHANUMERIC);
  const stack = options.withoutStackName === true ? '' : stackName;
  const separators = stack === '' ? 1 : 2;
  const budget = Math.max(0, maxLength - prefix.length - suffix.length - RANDOM_LENGTH - separators);
  let logicalPart = logicalId;
  let stackPart = stack;
  if (stackPart.length + logicalPart.length > budget) {
    // Keep as much of the logical ID as the stack name leaves room for, but at least half.
    const logicalLength = Math.min(logicalPart.length, Math.max(Math.ceil(budget / 2), budget - stackPart.length));
    logicalPart = logicalPart.slice(0, logicalLength);
    stackPart = stackPart.slice(0, Math.max(0, budget - logicalLength));
  }
  const parts = stack === '' ? [logicalPart, random] : [stackPart, logicalPart, random];
  const name = `${prefix}${parts.join('-')}${suffix}`;
  return options.lowercase === true ? name.toLowerCase() : name;
}
