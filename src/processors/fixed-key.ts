import { isPromiseLike, type MaybePromise } from '../core/maybe-promise.js'
import type { Record as StreamRecord } from '../core/record.js'
import type { Processor, ProcessorContext, ProcessorSupplier } from './api.js'

/**
 * `KStream.processValues` (Kafka Streams' FixedKeyProcessor, KIP-820): what the processor forwards
 * while it processes a record keeps that record's key, whatever key it was given, so the stream
 * stays partitioned by key and nothing repartitions after it. Forwards outside `process` (from a
 * punctuation) go out as given, as Kafka's records a punctuator holds keep their own keys.
 */
export function fixedKeyProcessor(supplier: ProcessorSupplier): ProcessorSupplier {
  return () => new FixedKeyProcessor(supplier())
}

class FixedKeyProcessor implements Processor {
  private key: unknown = undefined
  /** Records being processed (a `process` that returned a promise is still processing until it settles). */
  private processing = 0

  constructor(private readonly inner: Processor) {}

  init(context: ProcessorContext): MaybePromise<void> {
    const forward = (record: StreamRecord<unknown, unknown>, childName?: string): MaybePromise<void> =>
      context.forward(this.processing > 0 && record.key !== this.key ? { ...record, key: this.key } : record, childName)
    const fixed = new Proxy(context, {
      get: (target, property) => {
        if (property === 'forward') return forward
        const value: unknown = Reflect.get(target, property)
        return typeof value === 'function' ? (value as (...args: unknown[]) => unknown).bind(target) : value
      },
    })
    return this.inner.init?.(fixed)
  }

  process(record: StreamRecord<unknown, unknown>): MaybePromise<void> {
    this.key = record.key
    this.processing++
    let done: MaybePromise<void>
    try {
      done = this.inner.process(record)
    } catch (error) {
      this.processing--
      throw error
    }
    if (!isPromiseLike(done)) {
      this.processing--
      return done
    }
    return Promise.resolve(done).finally(() => {
      this.processing--
    })
  }

  close(): MaybePromise<void> {
    return this.inner.close?.()
  }
}
