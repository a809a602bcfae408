import { Duration } from 'aws-cdk-lib';

/**
 * The timeout of the example functions that are not about timeouts. Lambda's default of 3 s is
 * tight for a machine that is busy (a test run, a build): with room, a timeout means a hang.
 */
export const FUNCTION_TIMEOUT = Duration.seconds(30);
