import { ConfigError } from '../core/errors.js'
import { requireDurationMs } from '../core/time.js'

export type SuppressedSpec =
  | { readonly kind: 'until-window-closes'; readonly bufferConfig: StrictBufferConfig }
  | { readonly kind: 'until-time-limit'; readonly timeLimitMs: number; readonly bufferConfig: BufferConfig }

/**
 * What a suppression buffer does when it holds more than its `maxRecords` or `maxBytes` (Kafka
 * Streams' BufferFullStrategy): `'emit'` the oldest held updates early, or `'shut-down'`, failing
 * the task with a `SuppressionBufferFullError`.
 */
export type BufferFullStrategy = 'emit' | 'shut-down'

/**
 * A buffer that never emits early: unbounded, or failing the application when full (Kafka Streams'
 * `Suppressed.StrictBufferConfig`). The only kind `Suppressed.untilWindowCloses` takes.
 */
export type StrictBufferConfig = BufferConfig<'shut-down'>

/**
 * A buffer that emits its oldest updates early when full (Kafka Streams' `Suppressed.EagerBufferConfig`):
 * fewer duplicates downstream, but not none.
 */
export type EagerBufferConfig = BufferConfig<'emit'>

/**
 * How much a suppression may hold, and what happens past that (Kafka Streams' `Suppressed.BufferConfig`).
 * Immutable: every method returns a new config.
 *
 * Sizes are counted as Kafka Streams counts them: `maxRecords` bounds the number of keys held;
 * `maxBytes` bounds, per key, 8 bytes of buffer time, the serialized key, the serialized prior, old
 * (unless equal to the prior) and new value, and the record context (8 bytes of timestamp, 8 of offset,
 * 4 of partition, the source topic's characters, each header's name characters and value bytes).
 * Values are serialized to be counted only under a `maxBytes` bound.
 *
 * @example
 * // The latest count of each key a minute after its first update; at most 10 MB held, the oldest sent early past that.
 * counts.suppress(Suppressed.untilTimeLimit(60_000, BufferConfig.maxBytes(10_000_000).emitEarlyWhenFull()))
 * // Final window results; the application fails rather than hold more than 1000 windows.
 * windowed.suppress(Suppressed.untilWindowCloses(BufferConfig.maxRecords(1_000).shutDownWhenFull()))
 */
export class BufferConfig<S extends BufferFullStrategy = BufferFullStrategy> {
  private constructor(
    /** The most keys held; `Infinity` for no bound. */
    readonly maxRecords: number,
    /** The most bytes held (see the class doc); `Infinity` for no bound. */
    readonly maxBytes: number,
    readonly bufferFullStrategy: S,
    /** False after `withLoggingDisabled()`: the buffer has no changelog and is lost with its task. */
    readonly loggingEnabled: boolean,
    /** Topic configs of the buffer's changelog, over the defaults (`cleanup.policy=compact`). */
    readonly logConfig: Readonly<Record<string, string>>,
  ) {
    Object.freeze(this)
  }

  /** A buffer of at most `recordLimit` keys that emits the oldest early when full (change with `shutDownWhenFull()`). */
  static maxRecords(recordLimit: number): EagerBufferConfig {
    return new BufferConfig(requireLimit('maxRecords', recordLimit), Infinity, 'emit', true, {})
  }

  /** A buffer of at most `byteLimit` bytes that emits the oldest early when full (change with `shutDownWhenFull()`). */
  static maxBytes(byteLimit: number): EagerBufferConfig {
    return new BufferConfig(Infinity, requireLimit('maxBytes', byteLimit), 'emit', true, {})
  }

  /**
   * A buffer bounded by time only: it holds whatever the time limit (or the window close) dictates,
   * however much memory that takes. It never emits early.
   */
  static unbounded(): StrictBufferConfig {
    return new BufferConfig(Infinity, Infinity, 'shut-down', true, {})
  }

  /** The same buffer, bounded to `recordLimit` keys. */
  withMaxRecords(recordLimit: number): BufferConfig<S> {
    return new BufferConfig(requireLimit('maxRecords', recordLimit), this.maxBytes, this.bufferFullStrategy, this.loggingEnabled, this.logConfig)
  }

  /** The same buffer, bounded to `byteLimit` bytes. */
  withMaxBytes(byteLimit: number): BufferConfig<S> {
    return new BufferConfig(this.maxRecords, requireLimit('maxBytes', byteLimit), this.bufferFullStrategy, this.loggingEnabled, this.logConfig)
  }

  /** The same buffer without its bounds (as `unbounded()`, keeping the logging settings). */
  withNoBound(): StrictBufferConfig {
    return new BufferConfig(Infinity, Infinity, 'shut-down', this.loggingEnabled, this.logConfig)
  }

  /**
   * Fail the application when a bound is exceeded: the task stops with a `SuppressionBufferFullError`
   * ("... buffer exceeded its max capacity"). Never emits early.
   */
  shutDownWhenFull(): StrictBufferConfig {
    return new BufferConfig(this.maxRecords, this.maxBytes, 'shut-down', this.loggingEnabled, this.logConfig)
  }

  /** Emit the oldest held updates (by buffer time) early when a bound is exceeded, until it holds. */
  emitEarlyWhenFull(): EagerBufferConfig {
    return new BufferConfig(this.maxRecords, this.maxBytes, 'emit', this.loggingEnabled, this.logConfig)
  }

  /**
   * No changelog for the buffer: no fault tolerance, the held updates are lost when the task closes,
   * crashes or moves. Logging is on by default.
   */
  withLoggingDisabled(): BufferConfig<S> {
    return new BufferConfig(this.maxRecords, this.maxBytes, this.bufferFullStrategy, false, {})
  }

  /** Changelog on (the default), with these topic configs over the defaults (e.g. `{ 'segment.bytes': '1048576' }`). */
  withLoggingEnabled(config: Readonly<Record<string, string>>): BufferConfig<S> {
    if (typeof config !== 'object' || config === null || Object.values(config).some((v) => typeof v !== 'string')) {
      throw new ConfigError(`BufferConfig.withLoggingEnabled takes topic configs as an object of strings (e.g. { 'segment.bytes': '1048576' }), got ${String(config)}.`)
    }
    return new BufferConfig(this.maxRecords, this.maxBytes, this.bufferFullStrategy, true, Object.freeze({ ...config }))
  }
}

function requireLimit(what: 'maxRecords' | 'maxBytes', value: number): number {
  if (value !== Infinity && (!Number.isSafeInteger(value) || value < 0)) {
    throw new ConfigError(`BufferConfig ${what} must be a non-negative whole number (or Infinity for no bound), got ${String(value)}.`)
  }
  return value
}

/**
 * How `KTable.suppress` holds updates back.
 *
 * @example
 * windowedCounts.suppress(Suppressed.untilWindowCloses()).toStream().to('final-counts')
 * counts.suppress(Suppressed.untilTimeLimit(60_000, BufferConfig.maxRecords(10_000).emitEarlyWhenFull()))
 */
export class Suppressed {
  private constructor(
    readonly spec: SuppressedSpec,
    readonly name: string | undefined,
  ) {
    Object.freeze(this)
  }

  /** Kafka Streams' `Suppressed.BufferConfig`: `Suppressed.BufferConfig.maxBytes(n)` is `BufferConfig.maxBytes(n)`. */
  static readonly BufferConfig = BufferConfig

  /**
   * Emit each window's final result once, when stream time passes `end + grace`. Only for windowed
   * tables; stream time advances only with new records, so the last windows wait for later input.
   * The buffer must be strict (`BufferConfig.unbounded()`, the default, or `...shutDownWhenFull()`):
   * emitting early would break the "final result" promise.
   */
  static untilWindowCloses(bufferConfig: StrictBufferConfig = BufferConfig.unbounded()): Suppressed {
    if (!(bufferConfig instanceof BufferConfig)) {
      throw new ConfigError(`Suppressed.untilWindowCloses takes a BufferConfig (e.g. BufferConfig.unbounded()), got ${String(bufferConfig)}.`)
    }
    if (bufferConfig.bufferFullStrategy !== 'shut-down') {
      throw new ConfigError(
        'Suppressed.untilWindowCloses needs a strict buffer, one that never emits early: BufferConfig.unbounded(), or a bounded ' +
          'buffer with .shutDownWhenFull(). For a buffer that emits early when full, use Suppressed.untilTimeLimit.',
      )
    }
    return new Suppressed({ kind: 'until-window-closes', bufferConfig }, undefined)
  }

  /**
   * Emit the latest value of a key `timeLimitMs` of stream time after its first held update (a later
   * update replaces it but does not restart the wait). `bufferConfig` bounds what is held (default
   * `BufferConfig.unbounded()`); `{ maxRecords }` is short for `BufferConfig.maxRecords(n).emitEarlyWhenFull()`.
   */
  static untilTimeLimit(timeLimitMs: number, bufferConfig: BufferConfig | { maxRecords?: number } = BufferConfig.unbounded()): Suppressed {
    requireDurationMs('Suppressed time limit', timeLimitMs)
    let config: BufferConfig
    if (bufferConfig instanceof BufferConfig) {
      config = bufferConfig
    } else if (typeof bufferConfig === 'object' && bufferConfig !== null) {
      const { maxRecords, ...rest } = bufferConfig
      if (Object.keys(rest).length > 0) {
        throw new ConfigError(
          `Suppressed.untilTimeLimit options take only maxRecords, got ${Object.keys(rest).join(', ')}. For other bounds pass a BufferConfig ` +
            `(e.g. BufferConfig.maxBytes(n).emitEarlyWhenFull()).`,
        )
      }
      if (maxRecords !== undefined && (!Number.isInteger(maxRecords) || maxRecords < 0)) {
        throw new ConfigError(`Suppressed maxRecords must be a non-negative whole number, got ${String(maxRecords)}.`)
      }
      config = maxRecords === undefined ? BufferConfig.unbounded() : BufferConfig.maxRecords(maxRecords)
    } else {
      throw new ConfigError(`Suppressed.untilTimeLimit takes a BufferConfig (e.g. BufferConfig.maxRecords(1000).emitEarlyWhenFull()), got ${String(bufferConfig)}.`)
    }
    return new Suppressed({ kind: 'until-time-limit', timeLimitMs, bufferConfig: config }, undefined)
  }

  /** How much the suppression may hold, and what it does when full. */
  get bufferConfig(): BufferConfig {
    return this.spec.bufferConfig
  }

  /** Pins the suppress operator's name. */
  withName(name: string): Suppressed {
    return new Suppressed(this.spec, name)
  }
}
