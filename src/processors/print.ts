import { closeSync, openSync, writeSync } from 'node:fs'
import type { ProcessorSupplier } from './api.js'

export interface PrintSpec<K, V> {
  /** Shown in brackets before each line. */
  readonly label: string
  /** The text after the label. */
  readonly mapper: (key: K, value: V) => string
  /** A file to write to instead of standard output. */
  readonly toFile?: string
}

/**
 * `KStream.print` (Kafka Streams' KStreamPrint with its PrintForeachAction): one line per record,
 * `[label]: text`, ends the stream. Every task of the operator writes to one file, truncated when
 * the first task opens it and closed when the last one closes, as Kafka's `Printed.toFile` shares
 * one stream between tasks.
 */
export function printProcessor<K, V>(spec: PrintSpec<K, V>): ProcessorSupplier<K, V, never, never> {
  const { toFile } = spec
  let fd: number | undefined
  let openTasks = 0
  let truncated = false
  const write = (line: string): void => {
    if (fd === undefined) process.stdout.write(line)
    else writeSync(fd, line)
  }
  return () => ({
    init() {
      if (toFile === undefined) return
      if (openTasks++ === 0) {
        fd = openSync(toFile, truncated ? 'a' : 'w')
        truncated = true
      }
    },
    process(record) {
      write(`[${spec.label}]: ${spec.mapper(record.key, record.value)}\n`)
    },
    close() {
      if (toFile === undefined || --openTasks > 0 || fd === undefined) return
      closeSync(fd)
      fd = undefined
    },
  })
}

/** Kafka's default mapper, `key + ", " + value`, with objects shown as JSON rather than `[object Object]`. */
export function defaultPrintMapper(key: unknown, value: unknown): string {
  return `${printable(key)}, ${printable(value)}`
}

function printable(x: unknown): string {
  if (x === null || x === undefined) return 'null'
  if (typeof x === 'object' && !Buffer.isBuffer(x)) return JSON.stringify(x, (_k, v: unknown) => (typeof v === 'bigint' ? v.toString() : v))
  return String(x)
}
