import { randomUUID } from 'node:crypto';

/** Events an extension may subscribe to. */
export type ExtensionEventType = 'INVOKE' | 'SHUTDOWN';

/** Why an environment is shut down, as extensions read it (lower case on the wire). */
export type ShutdownReason = 'spindown' | 'timeout' | 'failure';

/** An event as `GET /extension/event/next` returns it. */
export type ExtensionEvent =
  | {
      readonly eventType: 'INVOKE';
      readonly deadlineMs: number;
      readonly requestId: string;
      readonly invokedFunctionArn: string;
      readonly tracing: { readonly type: 'X-Amzn-Trace-Id'; readonly value: string };
    }
  | { readonly eventType: 'SHUTDOWN'; readonly deadlineMs: number; readonly shutdownReason: ShutdownReason };

/** One registered extension. */
export interface RegisteredExtension {
  readonly id: string;
  readonly name: string;
  readonly events: ReadonlySet<ExtensionEventType>;
  /** External extensions are processes started from /opt/extensions; internal ones run in the runtime process. */
  readonly external: boolean;
}

/** Why a registration was refused: an error type of the Extensions API. */
export type RegistrationError =
  | 'Extension.InvalidExtensionName'
  | 'InvalidRequestFormat'
  | 'Extension.InvalidEventType'
  | 'Extension.RegistrationClosed'
  | 'Extension.InvalidExtensionState'
  | 'Extension.TooManyExtensions';

/** Why an extension's call was refused for its identifier. */
export type IdentifierError =
  | 'Extension.MissingExtensionIdentifier'
  | 'Extension.InvalidExtensionIdentifier'
  | 'Extension.UnknownExtensionIdentifier';

/** The most extensions a function may have. */
const MAX_EXTENSIONS = 10;

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

interface Agent extends RegisteredExtension {
  /** Has called /event/next at least once (its init is done). */
  ready: boolean;
  /** Holds an event it has not finished with (has not called /event/next since). */
  busy: boolean;
  readonly queue: ExtensionEvent[];
  waiter: ((event: ExtensionEvent | undefined) => void) | undefined;
}

/** What the registry tells the environment as extensions move. */
export interface ExtensionRegistryListener {
  /** An extension registered. */
  registered?(extension: RegisteredExtension): void;
  /** An extension called /event/next: it is ready, or done with its event. */
  idle?(extension: RegisteredExtension): void;
  /** An extension posted /init/error or /exit/error. */
  failed?(extension: RegisteredExtension, kind: 'init' | 'exit', errorType: string, body: Buffer): void;
}

/**
 * The Extensions API's state for one execution environment, as plain code: who is
 * registered for what, which events wait for whom, and who still holds one (docs/conformance.md H).
 */
export class ExtensionRegistry {
  readonly #agents = new Map<string, Agent>();
  readonly #byName = new Map<string, Agent>();
  /** Names of the external extensions the environment launched and that have not registered yet. */
  readonly #expectedExternal = new Set<string>();
  #open = true;
  readonly #listener: ExtensionRegistryListener;

  constructor(listener: ExtensionRegistryListener = {}) {
    this.#listener = listener;
  }

  /** Every registered extension. */
  get extensions(): RegisteredExtension[] {
    return [...this.#agents.values()];
  }

  /** Whether registration is still open (it closes when init ends). */
  get registrationOpen(): boolean {
    return this.#open;
  }

  /** Starts a new init: forgets every extension and opens registration for these external ones. */
  reset(externalNames: readonly string[]): void {
    for (const agent of this.#agents.values()) agent.waiter?.(undefined);
    this.#agents.clear();
    this.#byName.clear();
    this.#expectedExternal.clear();
    for (const name of externalNames) this.#expectedExternal.add(name);
    this.#open = true;
  }

  /** Closes registration: init is over. */
  closeRegistration(): void {
    this.#open = false;
  }

  /** `POST /extension/register`. */
  register(name: string | undefined, body: unknown): RegisteredExtension | RegistrationError {
    if (name === undefined || name.trim() === '') return 'Extension.InvalidExtensionName';
    const events = (body as { events?: unknown } | null)?.events;
    if (typeof body !== 'object' || body === null || (events !== undefined && !Array.isArray(events))) return 'InvalidRequestFormat';
    const requested = (events ?? []) as unknown[];
    if (!requested.every((event): event is ExtensionEventType => event === 'INVOKE' || event === 'SHUTDOWN')) {
      return 'Extension.InvalidEventType';
    }
    const external = this.#expectedExternal.has(name);
    // Internal extensions live in the runtime process, which Lambda stops without notice.
    if (!external && requested.includes('SHUTDOWN')) return 'Extension.InvalidEventType';
    if (!this.#open) return 'Extension.RegistrationClosed';
    if (this.#byName.has(name)) return 'Extension.InvalidExtensionState';
    if (this.#agents.size >= MAX_EXTENSIONS) return 'Extension.TooManyExtensions';
    const agent: Agent = {
      id: randomUUID(),
      name,
      events: new Set(requested),
      external,
      ready: false,
      busy: false,
      queue: [],
      waiter: undefined,
    };
    this.#expectedExternal.delete(name);
    this.#agents.set(agent.id, agent);
    this.#byName.set(name, agent);
    this.#listener.registered?.(agent);
    return agent;
  }

  /** Finds the extension a `Lambda-Extension-Identifier` header names. */
  identify(identifier: string | undefined): RegisteredExtension | IdentifierError {
    if (identifier === undefined || identifier === '') return 'Extension.MissingExtensionIdentifier';
    if (!UUID.test(identifier)) return 'Extension.InvalidExtensionIdentifier';
    return this.#agents.get(identifier) ?? 'Extension.UnknownExtensionIdentifier';
  }

  /**
   * `GET /extension/event/next`: the extension is done with what it held; resolves with
   * its next event, or undefined when the environment goes away.
   */
  next(extension: RegisteredExtension, onWait: (cancel: () => void) => void): Promise<ExtensionEvent | undefined> {
    const agent = this.#agents.get(extension.id);
    if (agent === undefined) return Promise.resolve(undefined);
    agent.ready = true;
    agent.busy = false;
    this.#listener.idle?.(agent);
    const queued = agent.queue.shift();
    if (queued !== undefined) {
      agent.busy = true;
      return Promise.resolve(queued);
    }
    return new Promise((resolve) => {
      agent.waiter = (event) => {
        agent.waiter = undefined;
        if (event !== undefined) agent.busy = true;
        resolve(event);
      };
      onWait(() => {
        agent.waiter = undefined;
      });
    });
  }

  /** Sends an event to every extension subscribed to its type; returns those it went to. */
  dispatch(event: ExtensionEvent): RegisteredExtension[] {
    const recipients = [...this.#agents.values()].filter((agent) => agent.events.has(event.eventType));
    for (const agent of recipients) {
      if (agent.waiter !== undefined) agent.waiter(event);
      else agent.queue.push(event);
    }
    return recipients;
  }

  /** True when every registered extension has called /event/next at least once. */
  get allReady(): boolean {
    return [...this.#agents.values()].every((agent) => agent.ready);
  }

  /** True when no extension holds an event it has not finished with. */
  get allIdle(): boolean {
    return [...this.#agents.values()].every((agent) => !agent.busy && agent.queue.length === 0);
  }

  /** Whether an external extension with this name is still expected to register. */
  isExpected(name: string): boolean {
    return this.#expectedExternal.has(name);
  }

  /** `POST /extension/init/error` and `/exit/error`. */
  fail(extension: RegisteredExtension, kind: 'init' | 'exit', errorType: string, body: Buffer): void {
    this.#listener.failed?.(extension, kind, errorType, body);
  }
}
