import type { Distribution } from './measure/distribution.js';

/** The unit of a figure's median and p99. */
export type Unit = 'ms' | 'MB';

/** One side of a comparison: cdk-local, or the baseline it is held against. */
export interface Figure {
  /** What was measured, in a few words (`LocalLambda.invoke()`, `bare HTTP round trip`). */
  readonly label: string;
  readonly unit: Unit;
  readonly distribution: Distribution;
  /** Operations per second, for throughput figures. */
  readonly perSecond?: number;
}

/** A target from issue 6, and whether this run met it. */
export interface TargetResult {
  /** As printed: `≤ 3× floor`, `< 1000 ms`. */
  readonly description: string;
  readonly met: boolean;
}

/** What one scenario produced. */
export type ScenarioResult =
  | {
      readonly id: string;
      readonly title: string;
      readonly status: 'measured';
      readonly subject: Figure;
      readonly baseline: Figure;
      /**
       * subject ÷ baseline: of the medians for times and memory, of the rates per second
       * for throughput (there, below 1 means fewer per second than the baseline).
       */
      readonly ratio: number;
      readonly target?: TargetResult;
      /** For a missed target: why, from this run's own figures. Printed in the closing note. */
      readonly whyMissed?: string;
      /** What the figures mean. */
      readonly notes: readonly string[];
    }
  | {
      readonly id: string;
      readonly title: string;
      /** `not-measured`: what it needs does not exist yet; `failed`: it ran and broke. */
      readonly status: 'not-measured' | 'failed';
      readonly reason: string;
      readonly notes: readonly string[];
    };

/** How long a run may take. */
export interface RunSettings {
  /** Fewer iterations: a rough figure in a fraction of the time. */
  readonly quick: boolean;
  /** Writes progress lines (to stderr). */
  readonly progress: (message: string) => void;
}

/** A scenario: produces one or more results (throughput gives one per concurrency). */
export interface Scenario {
  readonly id: string;
  readonly title: string;
  run(context: ScenarioContext): Promise<ScenarioResult[]>;
}

/** subject ÷ baseline of two medians. */
export function medianRatio(subject: Distribution, baseline: Distribution): number {
  return subject.median / baseline.median;
}

/** What scenarios share: the apps, the floor's server, the built CLI. Made on first use. */
export interface ScenarioContext extends RunSettings {
  /** The repository root. */
  readonly root: string;
  /** `dist/bin/cdk-local.js`, built. */
  readonly cliPath: string;
  /** The bench app's cloud assembly (Echo, EchoWithExtension). */
  benchApp(): Promise<string>;
  /** The cloud assembly of 300 functions in 10 stacks. */
  manyFunctionsApp(): Promise<string>;
  /** The bare HTTP server of the floor, shared by the scenarios that compare with it. */
  floor(): Promise<import('./baselines/http-floor.js').FloorServer>;
  /** A fresh directory for a scenario's own files (code caches); removed after the run. */
  scratchDirectory(name: string): Promise<string>;
}
