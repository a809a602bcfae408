import type { FunctionSpec } from '../assembly/index.js';
import type { ExtensionRegistry, RuntimeChannel, TelemetryHub } from '../runtime-api/index.js';
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
  readonly channel: RuntimeChannel;
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
