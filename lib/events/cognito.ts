import { REGION_OPTION, valueOf, type EventContext, type EventDefinition, type EventValues, type ServiceDefinition } from './event-definition.js';

/**
 * `cognito sync-trigger`: a Cognito Sync dataset update.
 * @see https://docs.aws.amazon.com/cognito/latest/developerguide/cognito-events.html
 */
const SYNC_TRIGGER: EventDefinition = {
  name: 'sync-trigger',
  describe: 'A Cognito Sync dataset update',
  options: [REGION_OPTION, { name: 'dataset-name', describe: 'The dataset name', default: 'SampleDataset' }],
  build: (values, context) => {
    const region = valueOf(values, 'region');
    return {
      version: 2,
      eventType: 'SyncTrigger',
      region,
      identityPoolId: `${region}:${context.uuid()}`,
      identityId: `${region}:${context.uuid()}`,
      datasetName: valueOf(values, 'dataset-name'),
      datasetRecords: {
        SampleKey1: { oldValue: 'oldValue1', newValue: 'newValue1', op: 'replace' },
        SampleKey2: { oldValue: 'oldValue2', newValue: 'newValue2', op: 'replace' },
      },
    };
  },
};

const USER_POOL_OPTIONS = [
  REGION_OPTION,
  { name: 'user-pool-id', describe: 'The user pool ID (default: <region>_EXAMPLE12)', default: '' },
  { name: 'client-id', describe: 'The app client ID', default: '1example23456789' },
  { name: 'username', describe: 'The user name', default: 'janedoe' },
  { name: 'email', describe: "The user's email address", default: 'jane@example.com' },
];

interface UserPoolTrigger {
  readonly name: string;
  readonly describe: string;
  readonly triggerSource: string;
  readonly request: (attributes: Record<string, string>, values: EventValues) => Record<string, unknown>;
  readonly response: Record<string, unknown>;
}

/**
 * The parameters every user pool trigger gets, with the trigger's own request and an
 * empty response for the function to fill in.
 * @see https://docs.aws.amazon.com/cognito/latest/developerguide/cognito-user-pools-working-with-lambda-triggers.html
 */
function userPoolEvent(trigger: UserPoolTrigger, values: EventValues, context: EventContext): unknown {
  const region = valueOf(values, 'region');
  const attributes = {
    sub: context.uuid(),
    'cognito:user_status': 'CONFIRMED',
    email_verified: 'true',
    email: valueOf(values, 'email'),
  };
  return {
    version: '1',
    triggerSource: trigger.triggerSource,
    region,
    userPoolId: valueOf(values, 'user-pool-id') || `${region}_EXAMPLE12`,
    userName: valueOf(values, 'username'),
    callerContext: { awsSdkVersion: 'aws-sdk-unknown-unknown', clientId: valueOf(values, 'client-id') },
    request: trigger.request(attributes, values),
    response: trigger.response,
  };
}

const TRIGGERS: readonly UserPoolTrigger[] = [
  {
    name: 'pre-signup',
    describe: 'User pool pre sign-up trigger (PreSignUp_SignUp)',
    triggerSource: 'PreSignUp_SignUp',
    request: ({ email }) => ({ userAttributes: { email: email ?? '' }, validationData: {} }),
    response: { autoConfirmUser: false, autoVerifyEmail: false, autoVerifyPhone: false },
  },
  {
    name: 'post-confirmation',
    describe: 'User pool post confirmation trigger (PostConfirmation_ConfirmSignUp)',
    triggerSource: 'PostConfirmation_ConfirmSignUp',
    request: (userAttributes) => ({ userAttributes }),
    response: {},
  },
  {
    name: 'pre-authentication',
    describe: 'User pool pre authentication trigger (PreAuthentication_Authentication)',
    triggerSource: 'PreAuthentication_Authentication',
    request: (userAttributes) => ({ userAttributes, validationData: {} }),
    response: {},
  },
  {
    name: 'post-authentication',
    describe: 'User pool post authentication trigger (PostAuthentication_Authentication)',
    triggerSource: 'PostAuthentication_Authentication',
    request: (userAttributes) => ({ userAttributes, newDeviceUsed: false }),
    response: {},
  },
  {
    name: 'pre-token-generation',
    describe: 'User pool pre token generation trigger (TokenGeneration_Authentication)',
    triggerSource: 'TokenGeneration_Authentication',
    request: (userAttributes) => ({ userAttributes, groupConfiguration: { groupsToOverride: [], iamRolesToOverride: [], preferredRole: null } }),
    response: { claimsOverrideDetails: null },
  },
  {
    name: 'custom-message',
    describe: 'User pool custom message trigger (CustomMessage_SignUp)',
    triggerSource: 'CustomMessage_SignUp',
    request: (userAttributes) => ({ userAttributes, codeParameter: '{####}', linkParameter: '{##Click Here##}', usernameParameter: null }),
    response: { smsMessage: null, emailMessage: null, emailSubject: null },
  },
  {
    name: 'user-migration',
    describe: 'User pool migrate user trigger (UserMigration_Authentication)',
    triggerSource: 'UserMigration_Authentication',
    request: () => ({ password: 'example-password', validationData: {} }),
    response: { userAttributes: null, finalUserStatus: null, messageAction: null, desiredDeliveryMediums: null, forceAliasCreation: null },
  },
  {
    name: 'define-auth-challenge',
    describe: 'User pool define auth challenge trigger (DefineAuthChallenge_Authentication)',
    triggerSource: 'DefineAuthChallenge_Authentication',
    request: (userAttributes) => ({
      userAttributes,
      session: [{ challengeName: 'SRP_A', challengeResult: true, challengeMetadata: null }],
      userNotFound: false,
    }),
    response: { challengeName: null, issueTokens: null, failAuthentication: null },
  },
  {
    name: 'create-auth-challenge',
    describe: 'User pool create auth challenge trigger (CreateAuthChallenge_Authentication)',
    triggerSource: 'CreateAuthChallenge_Authentication',
    request: (userAttributes) => ({ userAttributes, challengeName: 'CUSTOM_CHALLENGE', session: [], userNotFound: false }),
    response: { publicChallengeParameters: null, privateChallengeParameters: null, challengeMetadata: null },
  },
  {
    name: 'verify-auth-challenge-response',
    describe: 'User pool verify auth challenge response trigger (VerifyAuthChallengeResponse_Authentication)',
    triggerSource: 'VerifyAuthChallengeResponse_Authentication',
    request: (userAttributes) => ({
      userAttributes,
      privateChallengeParameters: { answer: '42' },
      challengeAnswer: '42',
      userNotFound: false,
    }),
    response: { answerCorrect: null },
  },
];

/** Amazon Cognito: Cognito Sync and the user pool triggers. */
export const COGNITO_SERVICE: ServiceDefinition = {
  name: 'cognito',
  describe: 'Amazon Cognito Sync and user pool triggers',
  events: [
    SYNC_TRIGGER,
    ...TRIGGERS.map(
      (trigger): EventDefinition => ({
        name: trigger.name,
        describe: trigger.describe,
        options: USER_POOL_OPTIONS,
        build: (values, context) => userPoolEvent(trigger, values, context),
      }),
    ),
  ],
};
