// Events: the Event model, the namespaced EventBus, and the EventTracer.
export { EventBus, IsolationViolation } from './bus.js';
export type { EventBusOptions, EventHandler } from './bus.js';
export { barEventId, eventId, INDICATOR_NAMES, toEvent, toEvents } from './event.js';
export type { EventSource, EventType, FolioEvent } from './event.js';
export { EventTracer } from './tracer.js';
export type { EventFilter, FillExplanation } from './tracer.js';
