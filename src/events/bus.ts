// EventBus: routes events by namespace. A subscriber of namespace A never sees B's events; tracers see
// every namespace read-only. Strict mode turns any cross-namespace traffic into an IsolationViolation.
import type { FolioEvent } from './event.js';

export class IsolationViolation extends Error {
  override name = 'IsolationViolation';
  constructor(message: string, readonly event: FolioEvent) {
    super(message);
  }
}

export type EventHandler = (event: FolioEvent) => void;

export interface EventBusOptions {
  /** Throw IsolationViolation on events whose portfolio does not own their namespace. Default true. */
  strict?: boolean;
}

/**
 * Namespaced publish/subscribe.
 * @example
 *   const bus = new EventBus();
 *   bus.register('momentum', 'momentum_portfolio');
 *   bus.subscribe('momentum', (e) => console.log(e.type));
 *   bus.trace((e) => log.push(e));            // sees every namespace, cannot change events
 */
export class EventBus {
  readonly strict: boolean;
  private readonly owners = new Map<string, string>();
  private readonly subscribers = new Map<string, Set<EventHandler>>();
  private readonly tracers = new Set<EventHandler>();
  /** Namespace whose handlers are running now (publishing elsewhere from inside one is a leak). */
  private delivering: string | undefined;

  constructor(options: EventBusOptions = {}) {
    this.strict = options.strict ?? true;
  }

  /** Declares that `portfolioId` owns `namespace`. A namespace has exactly one owner. */
  register(namespace: string, portfolioId: string): void {
    const owner = this.owners.get(namespace);
    if (owner !== undefined && owner !== portfolioId) {
      throw new Error(`namespace "${namespace}" already belongs to portfolio "${owner}"; "${portfolioId}" cannot use it`);
    }
    this.owners.set(namespace, portfolioId);
  }

  ownerOf(namespace: string): string | undefined {
    return this.owners.get(namespace);
  }

  /** Receives the events of one namespace only. Returns the unsubscribe function. */
  subscribe(namespace: string, handler: EventHandler): () => void {
    let set = this.subscribers.get(namespace);
    if (!set) this.subscribers.set(namespace, (set = new Set()));
    set.add(handler);
    return () => set.delete(handler);
  }

  /** Receives every event of every namespace, frozen. Returns the detach function. */
  trace(handler: EventHandler): () => void {
    this.tracers.add(handler);
    return () => this.tracers.delete(handler);
  }

  publish(event: FolioEvent): void {
    const owner = this.owners.get(event.namespace);
    if (this.strict) {
      if (owner === undefined) throw new IsolationViolation(`event ${event.id}: namespace "${event.namespace}" is not registered`, event);
      if (owner !== event.portfolioId) {
        throw new IsolationViolation(`event ${event.id}: portfolio "${event.portfolioId}" published into namespace "${event.namespace}", which belongs to "${owner}"`, event);
      }
      if (this.delivering !== undefined && this.delivering !== event.namespace) {
        throw new IsolationViolation(`event ${event.id}: a handler of namespace "${this.delivering}" published into namespace "${event.namespace}"`, event);
      }
    }
    const frozen = Object.isFrozen(event) ? event : deepFreeze(event);
    const outer = this.delivering;
    this.delivering = event.namespace;
    try {
      for (const handler of this.subscribers.get(event.namespace) ?? []) handler(frozen);
      for (const tracer of this.tracers) tracer(frozen);
    } finally {
      this.delivering = outer;
    }
  }
}

function deepFreeze<T extends object>(value: T): T {
  for (const v of Object.values(value)) if (v && typeof v === 'object' && !Object.isFrozen(v)) deepFreeze(v);
  return Object.freeze(value);
}
