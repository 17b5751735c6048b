/**
 * CPU time and peak memory of another process, read from Linux's /proc: the bench measures each
 * application (Tributary's Node process, Kafka Streams' JVM) in its own process, apart from the
 * load generator and the result reader.
 */
import { execFileSync } from 'node:child_process'
import { readFileSync } from 'node:fs'

/**
 * utime + stime of a /proc/<pid>/stat line, in clock ticks. The command name (field 2) is in
 * parentheses and may hold spaces, so fields are counted after its closing parenthesis: utime and
 * stime are fields 14 and 15 of the line, the 12th and 13th after the name.
 */
export function cpuTicksOfStat(stat: string): number {
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ')
  const utime = Number(fields[11])
  const stime = Number(fields[12])
  if (!Number.isFinite(utime) || !Number.isFinite(stime)) throw new Error(`Not a /proc/<pid>/stat line: ${JSON.stringify(stat.slice(0, 80))}`)
  return utime + stime
}

/** VmHWM (the peak resident set size) of a /proc/<pid>/status text, in bytes. */
export function peakRssOfStatus(status: string): number {
  const match = /^VmHWM:\s+(\d+)\s+kB$/m.exec(status)
  if (match === null) throw new Error('No VmHWM line in /proc/<pid>/status.')
  return Number(match[1]) * 1024
}

let ticksPerSecond: number | undefined

/** The kernel's clock ticks per second (USER_HZ, 100 on Linux unless told otherwise). */
function clockTicksPerSecond(): number {
  if (ticksPerSecond === undefined) {
    try {
      ticksPerSecond = Number(execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).trim()) || 100
    } catch {
      ticksPerSecond = 100
    }
  }
  return ticksPerSecond
}

/** CPU time (user + system, all threads) `pid` has used so far, in milliseconds. */
export function cpuMsOf(pid: number): number {
  return (cpuTicksOfStat(readFileSync(`/proc/${pid}/stat`, 'utf8')) * 1000) / clockTicksPerSecond()
}

/** The peak resident set size of `pid` over its life so far, in bytes. */
export function peakRssOf(pid: number): number {
  return peakRssOfStatus(readFileSync(`/proc/${pid}/status`, 'utf8'))
}

/** CPU milliseconds per 1,000 input records. */
export function cpuMsPerThousand(cpuMs: number, records: number): number {
  return records === 0 ? Number.NaN : (cpuMs / records) * 1000
}
