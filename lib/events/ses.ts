import { LOCATION_OPTIONS, arnOf, valueOf, type EventDefinition, type ServiceDefinition } from './event-definition.js';

/**
 * `ses email-receiving`: a received email, from a receipt rule's Lambda action.
 * @see https://docs.aws.amazon.com/ses/latest/dg/receiving-email-action-lambda-event.html
 */
export const SES_EMAIL_RECEIVING: EventDefinition = {
  name: 'email-receiving',
  describe: "A received email, from a receipt rule's Lambda action",
  options: [
    { name: 'from', describe: 'The sender', default: 'janedoe@example.com' },
    { name: 'to', describe: 'The recipient', default: 'johndoe@example.com' },
    { name: 'subject', describe: 'The subject', default: 'Test Subject' },
    ...LOCATION_OPTIONS,
  ],
  build: (values, context) => {
    const from = valueOf(values, 'from');
    const to = valueOf(values, 'to');
    const subject = valueOf(values, 'subject');
    const messageId = context.uuid().replace(/-/g, '').slice(0, 20);
    const date = context.now.toUTCString().replace('GMT', '+0000');
    const pass = { status: 'PASS' };
    return {
      Records: [
        {
          eventSource: 'aws:ses',
          eventVersion: '1.0',
          ses: {
            mail: {
              timestamp: context.now.toISOString(),
              source: from,
              messageId,
              destination: [to],
              headersTruncated: false,
              headers: [
                { name: 'Return-Path', value: `<${from}>` },
                { name: 'From', value: from },
                { name: 'Date', value: date },
                { name: 'To', value: to },
                { name: 'Message-ID', value: `<${messageId}@example.com>` },
                { name: 'Subject', value: subject },
                { name: 'MIME-Version', value: '1.0' },
                { name: 'Content-Type', value: 'text/plain; charset=UTF-8' },
              ],
              commonHeaders: { returnPath: from, from: [from], date, to: [to], messageId: `<${messageId}@example.com>`, subject },
            },
            receipt: {
              timestamp: context.now.toISOString(),
              processingTimeMillis: 574,
              recipients: [to],
              spamVerdict: pass,
              virusVerdict: pass,
              spfVerdict: pass,
              dkimVerdict: pass,
              dmarcVerdict: pass,
              action: { type: 'Lambda', functionArn: arnOf(values, 'lambda', 'function:Example'), invocationType: 'Event' },
            },
          },
        },
      ],
    };
  },
};

/** Amazon SES. */
export const SES_SERVICE: ServiceDefinition = {
  name: 'ses',
  describe: 'Amazon SES email receiving',
  events: [SES_EMAIL_RECEIVING],
};
