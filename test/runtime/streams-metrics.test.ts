import { describe, expect, it } from 'vitest'
import { StreamsMetricsRecorder } from '../../src/runtime/streams-metrics.js'
import type { TaskMetrics } from '../../src/engine/task-metrics.js'

const task = (late: number, nullKey: number, processingErrors = 0, enforcedProcessing = 0): TaskMetrics => ({
  processed: 0,
  skipped: 0,
  processingErrors,
  productionErrors: 0,
  droppedRecords: late + nullKey,
  droppedRecordsByReason: { late, 'null-key': nullKey, 'null-value': 0, deserialization: 0 },
  droppedRecordsByNode: {},
  punctuations: 0,
  enforcedProcessing,
})

describe('StreamsMetricsRecorder', () => {
  it('adds the counters of closed tasks to those of the live ones', () => {
    let now = 0
    const recorder = new StreamsMetricsRecorder(() => now, 10_000)
    recorder.taskClosed(task(2, 1, 1, 5))
    recorder.taskClosed(task(1, 0))
    now = 2_000
    const snapshot = recorder.snapshot('RUNNING', [task(4, 0, 0, 2), task(0, 3)])
    expect(snapshot.activeTasks).toBe(2)
    expect(snapshot.records.enforcedProcessingTotal).toBe(7)
    expect(snapshot.dropped).toEqual({
      total: 11,
      byReason: { late: 7, 'null-key': 4, 'null-value': 0, deserialization: 0 },
      late: 7,
      processingErrors: 1,
      productionErrors: 0,
    })
  })

  it('keeps latency histograms since start, past the window of the summaries', () => {
    let now = 0
    const recorder = new StreamsMetricsRecorder(() => now, 1_000)
    recorder.recordProcessed(2)
    recorder.committed(3)
    now = 10_000
    const s = recorder.snapshot('RUNNING', [])
    expect(s.processLatency.count).toBe(0)
    expect(s.processLatencyHistogram.count).toBe(1)
    expect(s.commit.latency.count).toBe(0)
    expect(s.commit.latencyHistogram.count).toBe(1)
  })

  it('rates records over the window, times records and commits, and keeps the latest restore report per store partition', () => {
    let now = 1_000
    const recorder = new StreamsMetricsRecorder(() => now, 10_000)
    now = 2_000
    recorder.consumed(300)
    recorder.consumed(0)
    for (let i = 0; i < 100; i++) recorder.recordProcessed(0.5)
    recorder.produced(40)
    recorder.committed(12)
    recorder.restoreProgress({ storeName: 'counts', topic: 'app-counts-changelog', partition: 1, restored: 10, total: 50, done: false })
    recorder.restoreProgress({ storeName: 'counts', topic: 'app-counts-changelog', partition: 1, restored: 50, total: 50, done: true })
    recorder.restoreProgress({ storeName: 'counts', topic: 'app-counts-changelog', partition: 0, restored: 0, total: 0, done: true })
    now = 3_000
    const s = recorder.snapshot('RUNNING', [])
    expect(s.records).toEqual({
      consumedTotal: 300,
      consumedPerSecond: 150, // 300 records in the 2 s since the recorder was made
      processedTotal: 100,
      processedPerSecond: 50,
      producedTotal: 40,
      producedPerSecond: 20,
      enforcedProcessingTotal: 0,
    })
    expect(s.processLatency).toMatchObject({ count: 100, avgMs: 0.5, maxMs: 0.5 })
    // Histograms: 0.5 ms lies in the 0.5 ms bucket and above; 12 ms in the 25 ms bucket and above.
    const processed = s.processLatencyHistogram
    expect(processed.count).toBe(100)
    expect(processed.sumSeconds).toBeCloseTo(0.05, 9)
    expect(processed.counts[processed.bucketsSeconds.indexOf(0.00025)]).toBe(0)
    expect(processed.counts[processed.bucketsSeconds.indexOf(0.0005)]).toBe(100)
    expect(processed.counts.at(-1)).toBe(100)
    const { latencyHistogram, ...commit } = s.commit
    expect(commit).toEqual({ count: 1, latency: { count: 1, avgMs: 12, maxMs: 12, p99Ms: 12 } })
    expect(latencyHistogram.count).toBe(1)
    expect(latencyHistogram.sumSeconds).toBeCloseTo(0.012, 9)
    expect(latencyHistogram.counts[latencyHistogram.bucketsSeconds.indexOf(0.01)]).toBe(0)
    expect(latencyHistogram.counts[latencyHistogram.bucketsSeconds.indexOf(0.025)]).toBe(1)
    expect(s.restoration).toEqual([
      { storeName: 'counts', topic: 'app-counts-changelog', partition: 0, restored: 0, total: 0, done: true },
      { storeName: 'counts', topic: 'app-counts-changelog', partition: 1, restored: 50, total: 50, done: true },
    ])
  })
})
