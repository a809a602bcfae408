// The CDK app of the Lambda Managed Instances tests, and the barrier their functions check in
// at: a loopback HTTP server that holds each request until the test (or a full group) lets it
// go, so that a test knows, from events, which invocations are inside their handler at once.
import { once } from 'node:events';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { App, Duration, Stack } from 'aws-cdk-lib';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import { createMarkedApp, processesWithMarker as processesCarrying, type MarkedApp } from '../helpers/marked-app.js';

const FIXTURES = fileURLToPath(new URL('../fixtures/managed-instances/', import.meta.url));
const MARKER_VARIABLE = 'CDK_LOCAL_MANAGED_MARKER';
/** `PerExecutionEnvironmentMaxConcurrency` of the app's functions. */
export const MAX_CONCURRENCY = 4;
const CAPACITY_PROVIDER_ARN = 'arn:aws:lambda:us-east-1:111122223333:capacity-provider:local-test';

/** Puts a function on Lambda Managed Instances, as the L1 property of aws-cdk-lib writes it. */
function onManagedInstances(fn: lambda.Function, maxConcurrency: number): void {
  const resource = fn.node.defaultChild as lambda.CfnFunction;
  resource.capacityProviderConfig = {
    lambdaManagedInstancesCapacityProviderConfig: { capacityProviderArn: CAPACITY_PROVIDER_ARN, perExecutionEnvironmentMaxConcurrency: maxConcurrency },
  };
}

/**
 * `ManagedStack`: `Concurrent` (Node.js, 60 s), `Brief` (Node.js, 3 s: about timeouts),
 * `Workers` (Python, 60 s), each running up to {@link MAX_CONCURRENCY} invocations per
 * environment with 2 GB, `BriefWorkers` (Python, 3 s, two at once), and `OnDemand` (Node.js,
 * the default compute) to compare.
 */
export function synthesizeManagedApp(outdir: string): void {
  const app = new App({ outdir, context: { 'aws:cdk:disable-version-reporting': true }, stackTraces: false });
  const stack = new Stack(app, 'ManagedStack', { env: { region: 'us-east-1', account: '111122223333' } });
  const node = { runtime: lambda.Runtime.NODEJS_22_X, handler: 'index.handler', code: lambda.Code.fromAsset(join(FIXTURES, 'node')), memorySize: 2048 };
  onManagedInstances(new lambda.Function(stack, 'Concurrent', { ...node, timeout: Duration.seconds(60) }), MAX_CONCURRENCY);
  onManagedInstances(new lambda.Function(stack, 'Brief', { ...node, timeout: Duration.seconds(3) }), MAX_CONCURRENCY);
  onManagedInstances(
    new lambda.Function(stack, 'Workers', {
      runtime: lambda.Runtime.PYTHON_3_13,
      handler: 'app.handler',
      code: lambda.Code.fromAsset(join(FIXTURES, 'python')),
      memorySize: 2048,
      timeout: Duration.seconds(60),
    }),
    MAX_CONCURRENCY,
  );
  onManagedInstances(
    new lambda.Function(stack, 'BriefWorkers', {
      runtime: lambda.Runtime.PYTHON_3_13,
      handler: 'app.handler',
      code: lambda.Code.fromAsset(join(FIXTURES, 'python')),
      memorySize: 2048,
      timeout: Duration.seconds(3),
    }),
    2,
  );
  new lambda.Function(stack, 'OnDemand', { ...node, timeout: Duration.seconds(60) });
  app.synth();
}

/** Synthesizes the app into a fresh temp directory; its functions carry a marker. */
export function createManagedApp(): Promise<MarkedApp> {
  return createMarkedApp({
    prefix: 'cdk-local-managed-',
    synthesize: synthesizeManagedApp,
    markerVariable: MARKER_VARIABLE,
    // The machine's own Node.js and Python stand for the runtimes' (a notice says so).
    defaults: { credentials: { accessKeyId: 'AKIDLOCAL', secretAccessKey: 'local' }, localRuntime: true },
  });
}

/** Live processes a run of the app started. */
export function processesWithMarker(marker: string): Promise<number[]> {
  return processesCarrying(MARKER_VARIABLE, marker);
}

/** One request held at the barrier. */
interface Held {
  readonly id: string;
  readonly response: ServerResponse;
}

/** A loopback server that holds function requests in groups until they are let go. */
export class Barrier implements AsyncDisposable {
  readonly #server: Server;
  readonly #held = new Map<string, Held[]>();
  readonly #sizes = new Map<string, number>();
  readonly #arrivals: { group: string; id: string; pid?: number }[] = [];
  readonly #waiters = new Set<() => void>();

  private constructor(server: Server) {
    this.#server = server;
    server.on('request', (request: IncomingMessage, response: ServerResponse) => this.#arrive(request, response));
  }

  static async start(): Promise<Barrier> {
    const server = createServer();
    server.listen(0, '127.0.0.1');
    await once(server, 'listening');
    return new Barrier(server);
  }

  /** The URL a function calls to check in with `group`; with `size`, the group is let go once that many have checked in. */
  url(group: string, size?: number): string {
    if (size !== undefined) this.#sizes.set(group, size);
    const address = this.#server.address();
    const port = typeof address === 'object' && address !== null ? address.port : 0;
    return `http://127.0.0.1:${port}/wait?group=${encodeURIComponent(group)}`;
  }

  /** Ids that checked in with `group`, in order. */
  arrived(group: string): string[] {
    return this.#arrivals.filter((arrival) => arrival.group === group).map((arrival) => arrival.id);
  }

  /** The pid each invocation of `group` reported when it checked in (Python's fixture does), by id. */
  pids(group: string): Map<string, number> {
    return new Map(this.#arrivals.filter((arrival) => arrival.group === group && arrival.pid !== undefined).map((arrival) => [arrival.id, arrival.pid!]));
  }

  /** Requests of `group` held now. */
  holding(group: string): number {
    return this.#held.get(group)?.length ?? 0;
  }

  /** Resolves once `count` invocations have checked in with `group`. */
  async waitForArrivals(group: string, count: number): Promise<void> {
    while (this.arrived(group).length < count) {
      await new Promise<void>((resolve) => this.#waiters.add(resolve));
    }
  }

  /** Lets every held request of `group` go, each answered with `answer`. */
  release(group: string, answer = 'released'): void {
    for (const held of this.#held.get(group) ?? []) held.response.end(answer);
    this.#held.delete(group);
  }

  #arrive(request: IncomingMessage, response: ServerResponse): void {
    const url = new URL(request.url ?? '/', 'http://barrier');
    const group = url.searchParams.get('group') ?? '';
    const id = url.searchParams.get('id') ?? '';
    const pid = url.searchParams.get('pid');
    const held = [...(this.#held.get(group) ?? []), { id, response }];
    this.#held.set(group, held);
    this.#arrivals.push({ group, id, ...(pid === null ? {} : { pid: Number(pid) }) });
    for (const wake of [...this.#waiters]) {
      this.#waiters.delete(wake);
      wake();
    }
    if (held.length === this.#sizes.get(group)) this.release(group, `all ${held.length} together`);
  }

  async [Symbol.asyncDispose](): Promise<void> {
    for (const group of [...this.#held.keys()]) this.release(group, 'closing');
    this.#server.closeAllConnections();
    await new Promise<void>((resolve) => this.#server.close(() => resolve()));
  }
}
