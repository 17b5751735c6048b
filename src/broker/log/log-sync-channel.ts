import diagnostics from 'node:diagnostics_channel'

/**
 * The `node:diagnostics_channel` on which the broker publishes `{ path }` each time an
 * fdatasync of one of its log files completes: a partition log's segment, or the offsets or
 * transaction log. It shows how often the broker syncs (see the `fsync`, `flushMessages` and
 * `flushMs` options) without a logger in the way.
 *
 * @example
 * diagnostics.subscribe(LOG_SYNC_CHANNEL, ({ path }) => console.log('synced', path))
 */
export const LOG_SYNC_CHANNEL = 'tributary:broker:log-sync'

export interface LogSyncMessage {
  /** The file that was synced. */
  path: string
}

const channel = diagnostics.channel(LOG_SYNC_CHANNEL)

export function publishLogSync(path: string): void {
  if (channel.hasSubscribers) channel.publish({ path } satisfies LogSyncMessage)
}
