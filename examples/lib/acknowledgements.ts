import type { Acknowledgment } from 'aws-cdk-lib';

/**
 * nodejs20.x is deprecated in Lambda, and synth warns about it; the examples keep it because it
 * is the Node.js major that runs them locally (cdk-local notes when the two differ).
 */
export const NODEJS_20_DEPRECATION: Acknowledgment = {
  id: 'CloudFormation-Validate::W2531',
  reason: 'The examples use nodejs20.x to match the local Node.js 20 that runs them.',
};
