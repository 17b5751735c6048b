import { closeSync, fsyncSync, openSync, readFileSync, renameSync, rmSync, writeSync } from 'node:fs'
import { StateStoreError } from '../core/errors.js'
import type { TopicPartitionOffset } from './types.js'

const VERSION = 0

/**
 * A task's `.checkpoint` file: for each changelog partition, the offset of the next changelog
 * record its stores do not hold yet (restoration starts there). Text in Kafka Streams' layout: a
 * version line, a count line, then one `topic partition offset` line per partition.
 */
export function readCheckpointFile(path: string): TopicPartitionOffset[] {
  let text: string
  try {
    text = readFileSync(path, 'utf8')
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return []
    throw new StateStoreError(`Cannot read the checkpoint file ${path}.`, { cause: error })
  }
  const lines = text.split('\n').filter((line) => line.length > 0)
  const corrupt = (why: string) =>
    new StateStoreError(`The checkpoint file ${path} is corrupt (${why}). Delete it (the task then restores its stores from the changelogs).`)
  if (lines[0] !== String(VERSION)) throw corrupt(`unknown version "${lines[0] ?? ''}"`)
  const count = Number(lines[1])
  if (!Number.isInteger(count) || count !== lines.length - 2) throw corrupt(`announces ${lines[1] ?? 'no'} entries, holds ${lines.length - 2}`)
  return lines.slice(2).map((line) => {
    // The topic is everything before the last two fields (topic names cannot hold spaces anyway).
    const match = /^(\S+) (\d+) (\d+)$/.exec(line)
    if (match === null) throw corrupt(`bad line "${line}"`)
    return { topic: match[1] as string, partition: Number(match[2]), offset: BigInt(match[3] as string) }
  })
}

/** Writes the file atomically (temporary file, fsync, rename): a crash leaves the old or the new one. */
export function writeCheckpointFile(path: string, offsets: readonly TopicPartitionOffset[]): void {
  const body = `${VERSION}\n${offsets.length}\n${offsets.map((o) => `${o.topic} ${o.partition} ${o.offset}`).join('\n')}${offsets.length > 0 ? '\n' : ''}`
  const temporary = `${path}.tmp`
  try {
    const fd = openSync(temporary, 'w')
    try {
      writeSync(fd, body)
      fsyncSync(fd)
    } finally {
      closeSync(fd)
    }
    renameSync(temporary, path)
  } catch (error) {
    rmSync(temporary, { force: true })
    throw new StateStoreError(`Cannot write the checkpoint file ${path}: check that the state directory is writable and not full.`, { cause: error })
  }
}
