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
}

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
})

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
    default:
      return /^-?\d+$/.test(value) ? null : `Invalid value ${value} for configuration ${name}: expected an integer.`
  }
}

export function logConfigFrom(configs: Readonly<Record<string, string>>): LogConfig {
  const get = (name: string): string => configs[name] ?? defaultTopicConfigs[name]
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
  }
}
