import { afterEach, describe, expect, it, vi } from 'vitest'
import { StreamsEmitter } from '../../src/runtime/streams-events.js'
import { recordsDroppedWarning, type StreamsWarning } from '../../src/runtime/streams-warnings.js'

class Instance extends StreamsEmitter {
  drop(): void {
    this.warn(recordsDroppedWarning({ taskId: '1_0', nodeName: 'KSTREAM-JOINTHIS-0000000004', reason: 'late' }))
  }
}

describe('warnings of a KafkaStreams instance', () => {
  afterEach(() => {
    vi.restoreAllMocks()
  })

  it('go to the warning listeners, which see the task, node and reason', () => {
    const emitted = vi.spyOn(process, 'emitWarning').mockImplementation(() => undefined)
    const seen: StreamsWarning[] = []
    new Instance().on('warning', (w) => seen.push(w)).drop()
    expect(emitted).not.toHaveBeenCalled()
    expect(seen).toHaveLength(1)
    expect(seen[0]).toMatchObject({ code: 'RECORDS_DROPPED', taskId: '1_0', nodeName: 'KSTREAM-JOINTHIS-0000000004', reason: 'late' })
    expect(seen[0]!.message).toContain('Task 1_0 dropped a record at KSTREAM-JOINTHIS-0000000004: it arrived after its window closed')
  })

  it("go to Node's warning channel when nobody listens, so a drop is never silent", () => {
    const emitted = vi.spyOn(process, 'emitWarning').mockImplementation(() => undefined)
    new Instance().drop()
    expect(emitted).toHaveBeenCalledTimes(1)
    expect(emitted.mock.calls[0]![1]).toEqual({ type: 'TributaryWarning', code: 'RECORDS_DROPPED' })
  })
})
