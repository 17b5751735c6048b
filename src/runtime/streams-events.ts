import type { StreamsWarning } from './streams-warnings.js'

/** The lifecycle of a KafkaStreams instance, as in Kafka Streams. */
export type KafkaStreamsState = 'CREATED' | 'REBALANCING' | 'RUNNING' | 'PENDING_SHUTDOWN' | 'NOT_RUNNING' | 'ERROR'

export interface KafkaStreamsEvents {
  stateChange: (newState: KafkaStreamsState, oldState: KafkaStreamsState) => void
  error: (error: unknown) => void
  /** Records dropped, and the like: without a listener, it goes to `process.emitWarning` (stderr). */
  warning: (warning: StreamsWarning) => void
}

/** A minimal typed emitter: a throwing listener is isolated so it cannot break the loop. */
export class StreamsEmitter {
  private readonly listeners: { [E in keyof KafkaStreamsEvents]: KafkaStreamsEvents[E][] } = { stateChange: [], error: [], warning: [] }

  on<E extends keyof KafkaStreamsEvents>(event: E, listener: KafkaStreamsEvents[E]): this {
    this.listeners[event].push(listener)
    return this
  }

  off<E extends keyof KafkaStreamsEvents>(event: E, listener: KafkaStreamsEvents[E]): this {
    const list = this.listeners[event] as KafkaStreamsEvents[E][]
    const index = list.indexOf(listener)
    if (index >= 0) list.splice(index, 1)
    return this
  }

  /** Tells the `warning` listeners, or Node's own warning channel when there is none. */
  protected warn(warning: StreamsWarning): void {
    if (this.listeners.warning.length > 0) this.emit('warning', warning)
    else process.emitWarning(warning.message, { type: 'TributaryWarning', code: warning.code })
  }

  protected emit<E extends keyof KafkaStreamsEvents>(event: E, ...args: Parameters<KafkaStreamsEvents[E]>): void {
    for (const listener of [...this.listeners[event]]) {
      try {
        ;(listener as (...a: Parameters<KafkaStreamsEvents[E]>) => void)(...args)
      } catch {
        // A listener's failure is its own; the instance keeps its state machine consistent.
      }
    }
  }
}

const TRANSITIONS: Record<KafkaStreamsState, readonly KafkaStreamsState[]> = {
  CREATED: ['REBALANCING', 'PENDING_SHUTDOWN', 'ERROR'],
  REBALANCING: ['RUNNING', 'REBALANCING', 'PENDING_SHUTDOWN', 'ERROR'],
  RUNNING: ['REBALANCING', 'PENDING_SHUTDOWN', 'ERROR'],
  PENDING_SHUTDOWN: ['NOT_RUNNING', 'ERROR'],
  NOT_RUNNING: [],
  ERROR: [],
}

export function canTransition(from: KafkaStreamsState, to: KafkaStreamsState): boolean {
  return TRANSITIONS[from].includes(to)
}
