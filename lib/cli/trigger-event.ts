import { findFunction, readTriggers, resolveRegion, type FunctionSpec, type TriggerSpec } from '../assembly/index.js';
import { CdkLocalError, ErrorCodes } from '../errors.js';
import { eventForTrigger } from '../events/index.js';

/** Options of {@link readTriggerEvent}. */
export interface ReadTriggerEventOptions {
  /** The cloud assembly directory. */
  readonly directory: string;
  /** The app's functions, to find `functionName` among. */
  readonly functions: readonly FunctionSpec[];
  /** The function, named as `invoke` takes it. */
  readonly functionName: string;
  /** Which trigger (1-based) when the function has several. */
  readonly trigger?: number;
  /** The region of stacks that do not set one. */
  readonly defaultRegion?: string;
}

/** The event of a function's trigger, and which function and trigger it is for. */
export interface TriggerEvent {
  readonly spec: FunctionSpec;
  readonly trigger: TriggerSpec;
  readonly event: unknown;
}

function listTriggers(triggers: readonly TriggerSpec[]): string {
  return triggers.map((trigger, index) => `${index + 1}: ${trigger.description}`).join('; ');
}

/**
 * The event that what the app wires to a function (an S3 notification, a queue, a rule, a
 * topic, an API route) would send it: `generate-event --for` and `invoke --event-from-trigger`.
 */
export async function readTriggerEvent(options: ReadTriggerEventOptions): Promise<TriggerEvent> {
  const spec = findFunction(options.functions, options.functionName);
  const all = await readTriggers(options.directory, options.defaultRegion === undefined ? {} : { defaultRegion: options.defaultRegion });
  const triggers = all.filter((trigger) => trigger.functionPath === spec.constructPath);
  if (triggers.length === 0) {
    throw new CdkLocalError(
      ErrorCodes.TRIGGER_NOT_FOUND,
      `Nothing in the app invokes ${spec.constructPath} (no S3 notification, event source mapping, EventBridge rule, SNS subscription or API Gateway route); generate an event by service instead, e.g. 'cdk-local generate-event s3 put'.`,
    );
  }
  let trigger: TriggerSpec | undefined;
  if (options.trigger !== undefined) {
    trigger = Number.isInteger(options.trigger) ? triggers[options.trigger - 1] : undefined;
    if (trigger === undefined) {
      throw new CdkLocalError(
        ErrorCodes.TRIGGER_NOT_FOUND,
        `${spec.constructPath} has ${triggers.length} trigger${triggers.length === 1 ? '' : 's'}, so --trigger ${options.trigger} names none of them; give a number from 1 to ${triggers.length} (${listTriggers(triggers)}).`,
      );
    }
  } else if (triggers.length > 1) {
    throw new CdkLocalError(
      ErrorCodes.TRIGGER_AMBIGUOUS,
      `${spec.constructPath} has ${triggers.length} triggers (${listTriggers(triggers)}); pick one with --trigger N.`,
    );
  } else {
    trigger = triggers[0]!;
  }
  return { spec, trigger, event: eventForTrigger(trigger) };
}

/**
 * The event of a function's trigger as invoke's payload (`invoke --event-from-trigger`),
 * from an app already read.
 */
export async function readTriggerPayload(
  local: { readonly functions: readonly FunctionSpec[]; readonly assemblyDirectory: string },
  args: { readonly function: string; readonly trigger?: number; readonly region?: string },
): Promise<Buffer> {
  const { event } = await readTriggerEvent({
    directory: local.assemblyDirectory,
    functions: local.functions,
    functionName: args.function,
    ...(args.trigger === undefined ? {} : { trigger: args.trigger }),
    defaultRegion: resolveRegion(args.region),
  });
  return Buffer.from(JSON.stringify(event));
}
