/**
 * Busy time of a V8 CPU profile split by what the process was doing, judged from the whole stack of
 * each sample rather than its leaf: a JSON.stringify called by a store's put counts as processing,
 * one called by the client's encoder as producing. The first rule (in this order) that some frame of
 * the stack matches names the activity; a stack no rule matches is "other".
 */
export interface ProfileFrame {
  readonly functionName: string
  readonly url: string
}

export interface ProfileTree {
  readonly nodes: readonly { readonly id: number; readonly callFrame: ProfileFrame; readonly children?: readonly number[] }[]
  readonly samples: readonly number[]
  readonly timeDeltas: readonly number[]
}

const ACTIVITIES: readonly (readonly [string, (frame: ProfileFrame) => boolean])[] = [
  ['garbage collection', (f) => f.functionName === '(garbage collector)'],
  ['start-up (module loading, the client\'s schema compilation)', (f) => /\/ajv\/|modules\/esm|modules\/cjs/.test(f.url) || f.functionName === 'evaluate'],
  ['restoring stores', (f) => /changelog-restorer|task-recovery/.test(f.url)],
  ['processing (engine, processors, stores, serdes)', (f) => f.functionName === 'process' && f.url.endsWith('/engine/stream-task.js')],
  [
    'producing (record writer, client encoding and send)',
    (f) => /runtime\/kafka-services\.js|\/kafka\/producer\.js|clients\/producer\/|protocol\/records\.js|apis\/producer\//.test(f.url),
  ],
  ['fetching (fetch, decoding, queueing records)', (f) => /partition-fetcher|clients\/consumer\/|apis\/consumer\//.test(f.url) || f.functionName === 'addRecords'],
  ['committing (cache flush, RocksDB writes, checkpoints)', (f) => /^(flushCache|flush|commit|postCommit)$/.test(f.functionName) || /\/rocksdb\/|checkpoint-file/.test(f.url)],
  ['network I/O', (f) => /network\/connection|stream_base_commons|^node:net$/.test(f.url)],
]

/** Microseconds of busy time per activity (idle samples left out), largest first. */
export function busyTimeByActivity(profile: ProfileTree): Map<string, number> {
  const byId = new Map(profile.nodes.map((n) => [n.id, n]))
  const parent = new Map<number, number>()
  for (const n of profile.nodes) for (const c of n.children ?? []) parent.set(c, n.id)
  const totals = new Map<string, number>()
  for (let i = 0; i < profile.samples.length; i++) {
    const leaf = byId.get(profile.samples[i] as number)
    if (leaf === undefined || leaf.callFrame.functionName === '(idle)') continue
    const stack: ProfileFrame[] = []
    for (let id: number | undefined = leaf.id; id !== undefined; id = parent.get(id)) stack.push((byId.get(id) as { callFrame: ProfileFrame }).callFrame)
    const activity = ACTIVITIES.find(([, matches]) => stack.some(matches))?.[0] ?? 'other'
    totals.set(activity, (totals.get(activity) ?? 0) + (profile.timeDeltas[i] ?? 0))
  }
  return new Map([...totals].sort((a, b) => b[1] - a[1]))
}
