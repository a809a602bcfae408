import type { FunctionSpec } from '../assembly/index.js';
import { RuntimeChannel, type ConcurrentRuntimeChannel, type ExtensionRegistry, type TelemetryHub } from '../runtime-api/index.js';
import type { RuntimeInfo } from '../runtimes/index.js';
import type { Conditions } from './conditions.js';
import type { DiagnosticLogger } from './diagnostics.js';
import type { EnvironmentOutput } from './environment-output.js';
import type { EnvironmentFailure, EnvironmentProcesses } from './environment-processes.js';
import type { EnvironmentLifecycle } from './environment-state.js';
import type { ExecutionEnvironmentOptions } from './environment-types.js';
import type { Latch } from './latch.js';
import type { MemoryWatch } from './memory-watch.js';

/** The parts of one execution environment that its phases (init, invoke, reset) work with. */
export interface EnvironmentParts {
  readonly spec: FunctionSpec;
  readonly options: ExecutionEnvironmentOptions;
  readonly runtime: RuntimeInfo;
  readonly lifecycle: EnvironmentLifecycle;
  /** One invocation at a time, or several for Lambda Managed Instances (see concurrent-invoke.ts). */
  readonly channel: RuntimeChannel | ConcurrentRuntimeChannel;
  readonly registry: ExtensionRegistry;
  readonly conditions: Conditions;
  readonly telemetry: TelemetryHub;
  readonly output: EnvironmentOutput;
  readonly processes: EnvironmentProcesses;
  readonly memory: MemoryWatch;
  readonly logger: DiagnosticLogger;
  /** Happens when an extension breaks the environment; renewed at each init. */
  failures: Latch<EnvironmentFailure>;
}

/** The channel of an environment that runs one invocation at a time. */
export function singleChannel(parts: EnvironmentParts): RuntimeChannel {
  if (parts.channel instanceof RuntimeChannel) return parts.channel;
  throw new Error(`${parts.spec.constructPath} runs several invocations at once: its invocations go through concurrent-invoke.ts`);
}
