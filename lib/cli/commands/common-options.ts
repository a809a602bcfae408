import type { Argv } from 'yargs';

/** Options every command that reads the app takes. */
export interface AppArguments {
  readonly app?: string;
  readonly region?: string;
  readonly profile?: string;
  readonly debug: boolean;
  /** `--sandbox` / `--no-sandbox`; unset: the sandbox where bubblewrap works. */
  readonly sandbox?: boolean;
}

/** Adds `--app`, `--region`, `--profile`, `--debug` and `--sandbox` to a command. */
export function withAppOptions<T>(yargs: Argv<T>): Argv<T & AppArguments> {
  return yargs
    .option('app', {
      type: 'string',
      describe: 'A cloud assembly directory (cdk.out) or the command that synthesizes the app; default: the app of ./cdk.json',
    })
    .option('region', { type: 'string', describe: 'The region of stacks that do not set one (default: AWS_REGION, else us-east-1)' })
    .option('profile', { type: 'string', describe: 'The AWS profile whose credentials the functions get' })
    .option('debug', { type: 'boolean', default: false, describe: "Show cdk-local's own diagnostics and stack traces" })
    .option('sandbox', {
      type: 'boolean',
      describe:
        "Run functions in a bubblewrap sandbox that looks like Lambda's (/var/task, /opt, a capped /tmp); --no-sandbox runs plain processes (default: the sandbox where bubblewrap works)",
    }) as Argv<T & AppArguments>;
}

/** The library's `sandbox` option for what the command line said. */
export function sandboxSetting(args: AppArguments): { readonly sandbox?: boolean } {
  return args.sandbox === undefined ? {} : { sandbox: args.sandbox };
}
