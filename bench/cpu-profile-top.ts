/**
 * `npm run bench:profile -- <file.cpuprofile> [--top N]`: the functions a V8 CPU profile (written by
 * `node --cpu-prof`, e.g. with TRIBUTARY_BENCH_CPU_PROF set for `npm run bench`) spent the most
 * self time in, the same time summed per source file, and the busy time split by activity
 * (processing, producing, fetching, committing, garbage collection; see profile-activities.ts), so
 * that a change to the hot path can be judged by where the time went before and after.
 */
import { readFileSync } from 'node:fs'
import { basename } from 'node:path'
import { busyTimeByActivity } from './profile-activities.js'

interface CallFrame {
  readonly functionName: string
  readonly url: string
  readonly lineNumber: number
}

interface ProfileNode {
  readonly id: number
  readonly callFrame: CallFrame
  readonly children?: readonly number[]
}

interface CpuProfile {
  readonly nodes: readonly ProfileNode[]
  readonly samples: readonly number[]
  readonly timeDeltas: readonly number[]
}

/** Microseconds of self time per key. */
function selfTimes(profile: CpuProfile, keyOf: (frame: CallFrame) => string): Map<string, number> {
  const frames = new Map<number, CallFrame>()
  for (const node of profile.nodes) frames.set(node.id, node.callFrame)
  const totals = new Map<string, number>()
  for (let i = 0; i < profile.samples.length; i++) {
    const frame = frames.get(profile.samples[i] as number)
    if (frame === undefined) continue
    const key = keyOf(frame)
    totals.set(key, (totals.get(key) ?? 0) + (profile.timeDeltas[i] ?? 0))
  }
  return totals
}

function fileOf(frame: CallFrame): string {
  if (frame.url === '') return `(${frame.functionName || 'native'})`
  const path = frame.url.replace(/^file:\/\//, '')
  const inProject = path.match(/\/(src|bench|node_modules)\/(.*)$/)
  return inProject === null ? basename(path) : `${inProject[1]}/${inProject[2]}`
}

function functionOf(frame: CallFrame): string {
  const name = frame.functionName === '' ? '(anonymous)' : frame.functionName
  return frame.url === '' ? name : `${name} ${fileOf(frame)}:${frame.lineNumber + 1}`
}

function table(title: string, totals: Map<string, number>, all: number, top: number): string {
  const rows = [...totals].sort((a, b) => b[1] - a[1]).slice(0, top)
  const lines = [`${title}`, '| self ms | % | where |', '| ---: | ---: | --- |']
  for (const [key, us] of rows) lines.push(`| ${(us / 1000).toFixed(0)} | ${((100 * us) / all).toFixed(1)} | ${key.replace(/\|/g, '\\|')} |`)
  return lines.join('\n')
}

function main(argv: readonly string[]): void {
  const file = argv.find((a) => !a.startsWith('--'))
  const topAt = argv.indexOf('--top')
  const top = topAt >= 0 ? Number(argv[topAt + 1]) : 25
  if (file === undefined || !Number.isInteger(top) || top < 1) {
    console.error('Usage: npm run bench:profile -- <file.cpuprofile> [--top N]')
    process.exit(2)
  }
  const profile = JSON.parse(readFileSync(file, 'utf8')) as CpuProfile
  const byFunction = selfTimes(profile, functionOf)
  let all = 0
  for (const us of byFunction.values()) all += us
  const idle = byFunction.get('(idle)') ?? 0
  console.log(`${file}: ${(all / 1000).toFixed(0)} ms sampled, ${((all - idle) / 1000).toFixed(0)} ms busy\n`)
  console.log(table(`Top ${top} functions by self time`, byFunction, all, top))
  console.log('')
  console.log(table(`Top ${top} files by self time`, selfTimes(profile, fileOf), all, top))
  console.log('')
  const busy = all - idle
  const lines = ['Busy time by activity (whole stack of each sample)', '| ms | % of busy | activity |', '| ---: | ---: | --- |']
  for (const [activity, us] of busyTimeByActivity(profile)) {
    lines.push(`| ${(us / 1000).toFixed(0)} | ${((100 * us) / busy).toFixed(1)} | ${activity} |`)
  }
  console.log(lines.join('\n'))
}

main(process.argv.slice(2))
