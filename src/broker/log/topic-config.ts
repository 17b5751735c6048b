import type { LogDurability } from './durability.js'

/** Topic-level settings the log honours, parsed from Kafka's config names. */
export interface LogConfig {
  compact: boolean
  delete: boolean
  retentionMs: number
  retentionBytes: number
  segmentBytes: number
  segmentMs: number
  deleteRetentionMs: number
  minCompactionLagMs: number
  logAppendTime: boolean
  /** The largest record batch a producer may write (its size with the log overhead), as Kafka's max.message.bytes. */
  maxMessageBytes: number
  /** flush.messages: sync once this many messages were appended since the last sync (Infinity: never). */
  flushMessages: number
  /** flush.ms: sync once this many ms passed since the last sync (Infinity: never). */
  flushMs: number
}

/** Kafka's Long.MAX_VALUE, its default for flush.messages and flush.ms: never. */
const KAFKA_NEVER = '9223372036854775807'

/** Kafka's defaults for the topic configs this broker understands, as DescribeConfigs reports them. */
export const defaultTopicConfigs: Readonly<Record<string, string>> = Object.freeze({
  'cleanup.policy': 'delete',
  'retention.ms': '604800000',
  'retention.bytes': '-1',
  'segment.bytes': '1073741824',
  'segment.ms': '604800000',
  'delete.retention.ms': '86400000',
  'min.compaction.lag.ms': '0',
  'message.timestamp.type': 'CreateTime',
  'max.message.bytes': '1048588',
  'min.insync.replicas': '1',
  'compression.type': 'producer',
  'flush.messages': KAFKA_NEVER,
  'flush.ms': KAFKA_NEVER,
})

/**
 * The defaults of this broker's topics: Kafka's, with flush.messages and flush.ms taken from the
 * broker's `flushMessages` and `flushMs`, as Kafka's come from log.flush.interval.messages and .ms.
 */
export function brokerTopicDefaults(durability: LogDurability): Readonly<Record<string, string>> {
  const valueOf = (limit: number): string => (Number.isFinite(limit) ? String(limit) : KAFKA_NEVER)
  return Object.freeze({ ...defaultTopicConfigs, 'flush.messages': valueOf(durability.flushMessages), 'flush.ms': valueOf(durability.flushMs) })
}

/** Kafka's ConfigSource ids, as CreateTopics and DescribeConfigs report them. */
export const ConfigSource = { DYNAMIC_TOPIC_CONFIG: 1, STATIC_BROKER_CONFIG: 4, DEFAULT_CONFIG: 5 } as const

/** Where a topic's config value comes from: the topic, the broker's options, or Kafka's default. */
export function configSourceOf(name: string, overrides: Readonly<Record<string, string>>, defaults: Readonly<Record<string, string>>): number {
  if (name in overrides) return ConfigSource.DYNAMIC_TOPIC_CONFIG
  return defaults[name] === defaultTopicConfigs[name] ? ConfigSource.DEFAULT_CONFIG : ConfigSource.STATIC_BROKER_CONFIG
}

/** Kafka's lower bounds for the configs that have one this broker checks. */
const MINIMUM: Readonly<Record<string, number>> = { 'flush.messages': 1, 'flush.ms': 0 }

/** Returns a message saying what is wrong with a config entry, or null when it is acceptable. */
export function validateTopicConfig(name: string, value: string | null): string | null {
  if (!(name in defaultTopicConfigs)) return null // unknown configs are kept and reported, as Kafka does for most
  if (value === null) return `Config ${name} needs a value.`
  switch (name) {
    case 'cleanup.policy':
      return value.split(',').every((p) => p.trim() === 'delete' || p.trim() === 'compact')
        ? null
        : `Invalid value ${value} for configuration cleanup.policy: use delete, compact or both.`
    case 'message.timestamp.type':
      return value === 'CreateTime' || value === 'LogAppendTime' ? null : `Invalid value ${value} for message.timestamp.type.`
    case 'compression.type':
      return null
    default: {
      if (!/^-?\d+$/.test(value)) return `Invalid value ${value} for configuration ${name}: expected an integer.`
      const minimum = MINIMUM[name]
      return minimum !== undefined && Number(value) < minimum ? `Invalid value ${value} for configuration ${name}: Value must be at least ${minimum}.` : null
    }
  }
}

/** A flush limit as a number: Kafka's "never" (and anything as far off) is Infinity. */
function flushLimitOf(value: string): number {
  const n = Number(value)
  return n >= Number.MAX_SAFE_INTEGER ? Infinity : n
}

/** The log settings of a topic with these overrides, over `defaults` (the broker's topic defaults). */
export function logConfigFrom(configs: Readonly<Record<string, string>>, defaults: Readonly<Record<string, string>> = defaultTopicConfigs): LogConfig {
  const get = (name: string): string => configs[name] ?? defaults[name]
  const policies = get('cleanup.policy').split(',').map((p) => p.trim())
  return {
    compact: policies.includes('compact'),
    delete: policies.includes('delete'),
    retentionMs: Number(get('retention.ms')),
    retentionBytes: Number(get('retention.bytes')),
    segmentBytes: Math.max(1024, Number(get('segment.bytes'))),
    segmentMs: Number(get('segment.ms')),
    deleteRetentionMs: Number(get('delete.retention.ms')),
    minCompactionLagMs: Number(get('min.compaction.lag.ms')),
    logAppendTime: get('message.timestamp.type') === 'LogAppendTime',
    maxMessageBytes: Number(get('max.message.bytes')),
    flushMessages: flushLimitOf(get('flush.messages')),
    flushMs: flushLimitOf(get('flush.ms')),
  }
}
