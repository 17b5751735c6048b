import type { PartitionLog } from './partition-log.js'

/**
 * Time and size retention for `cleanup.policy=delete` topics: whole segments are dropped from the
 * head of the log, never individual records, as in Kafka. Returns the number of segments dropped.
 */
export function applyRetention(log: PartitionLog, now: number): number {
  const { retentionMs, retentionBytes } = log.config
  if (!log.config.delete) return 0
  let drop = 0
  if (retentionMs >= 0) {
    while (drop < log.segments.length) {
      const segment = log.segments[drop]
      if (segment.batchCount === 0 || segment.maxTimestamp >= now - retentionMs) break
      drop++
    }
  }
  if (retentionBytes >= 0) {
    let size = log.sizeInBytes
    for (let i = 0; i < drop; i++) size -= log.segments[i].size
    while (drop < log.segments.length - 1 && size - log.segments[drop].size >= retentionBytes) {
      size -= log.segments[drop].size
      drop++
    }
  }
  log.dropOldestSegments(drop, now)
  return drop
}
