import type { Record as StreamRecord } from '../../src/core/record.js'
import type { ProcessorContext } from '../../src/processors/api.js'
import type { StateStore } from '../../src/state/types.js'

/** A processor context whose every store is `store` and whose forwards land in `forwarded`. */
export function contextWith(store: StateStore, forwarded: StreamRecord<unknown, unknown>[]): ProcessorContext<never, never> {
  return {
    applicationId: 'app',
    taskId: '0_0',
    forward: (record) => {
      forwarded.push(record)
    },
    getStateStore: <S extends StateStore>() => store as S,
    schedule: () => ({ cancel: () => undefined }),
    recordMetadata: () => undefined,
    currentStreamTimeMs: () => 0,
    watermarkMs: () => undefined,
    onWatermarkAdvanced: () => undefined,
    currentSystemTimeMs: () => 0,
    recordDropped: () => undefined,
  }
}
