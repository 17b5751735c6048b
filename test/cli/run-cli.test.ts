import { spawnSync } from 'node:child_process'
import { existsSync, readFileSync, statSync } from 'node:fs'
import { resolve } from 'node:path'
import { describe, expect, it } from 'vitest'
import { CliError } from '../../src/core/errors.js'
import type { Command } from '../../src/cli/command.js'
import { parseFlags, intFlag } from '../../src/cli/parse-flags.js'
import { runCli } from '../../src/cli/run-cli.js'

const repoRoot = resolve(import.meta.dirname, '../..')
const version = (JSON.parse(readFileSync(resolve(repoRoot, 'package.json'), 'utf8')) as { version: string }).version

function capture() {
  const out: string[] = []
  const err: string[] = []
  return { io: { out: (t: string) => out.push(t), err: (t: string) => err.push(t) }, out, err }
}

const echo: Command = {
  name: 'echo',
  summary: 'Print its --text flag',
  usage: 'Usage: tributary echo --text <text> [--times n]',
  async run(args, io) {
    const { values } = parseFlags('echo', args, { text: { type: 'string' }, times: { type: 'string' } })
    const times = intFlag('echo', 'times', values.times as string | undefined, 1, 1)
    for (let i = 0; i < times; i++) io.out(String(values.text))
    return 0
  },
}
const failing: Command = {
  name: 'fail',
  summary: 'Always fails',
  usage: 'Usage: tributary fail',
  async run() {
    throw new Error('broker at 127.0.0.1:1 is unreachable; start one with "tributary broker"')
  },
}

describe('runCli', () => {
  it('prints usage with every command for --help and no arguments', async () => {
    for (const argv of [['--help'], [], ['-h'], ['help']]) {
      const { io, out } = capture()
      expect(await runCli(argv, io, undefined, [echo, failing])).toBe(0)
      expect(out.join('\n')).toContain('Usage: tributary <command> [options]')
      expect(out.join('\n')).toMatch(/echo\s+Print its --text flag/)
      expect(out.join('\n')).toMatch(/fail\s+Always fails/)
    }
  })

  it('prints the package version', async () => {
    const { io, out } = capture()
    expect(await runCli(['--version'], io)).toBe(0)
    expect(out).toEqual([version])
  })

  it('rejects an unknown command and an unknown top-level flag with exit code 2', async () => {
    const a = capture()
    expect(await runCli(['frobnicate'], a.io, undefined, [echo])).toBe(2)
    expect(a.err[0]).toBe('tributary: unknown command "frobnicate". Commands: echo. Run "tributary --help" for usage.')
    const b = capture()
    expect(await runCli(['--frobnicate'], b.io, undefined, [echo])).toBe(2)
    expect(b.err[0]).toContain('unknown option "--frobnicate"')
  })

  it('runs a command with its flags and shows its own usage for --help', async () => {
    const a = capture()
    expect(await runCli(['echo', '--text', 'hi', '--times', '2'], a.io, undefined, [echo])).toBe(0)
    expect(a.out).toEqual(['hi', 'hi'])
    const b = capture()
    expect(await runCli(['echo', '--help'], b.io, undefined, [echo])).toBe(0)
    expect(b.out).toEqual([echo.usage])
    const c = capture()
    expect(await runCli(['help', 'echo'], c.io, undefined, [echo])).toBe(0)
    expect(c.out).toEqual([echo.usage])
  })

  it('turns a bad subcommand flag into one clear line and exit code 2', async () => {
    const a = capture()
    expect(await runCli(['echo', '--txet', 'hi'], a.io, undefined, [echo])).toBe(2)
    expect(a.err).toHaveLength(1)
    expect(a.err[0]).toMatch(/^tributary echo: Unknown option '--txet'.*Run "tributary echo --help" for usage\.$/)
    const b = capture()
    expect(await runCli(['echo', '--text', 'x', '--times', 'zero'], b.io, undefined, [echo])).toBe(2)
    expect(b.err[0]).toBe('tributary echo: --times must be an integer >= 1, got "zero".')
  })

  it('reports a failing command on one line with exit code 1', async () => {
    const { io, err } = capture()
    expect(await runCli(['fail'], io, undefined, [failing])).toBe(1)
    expect(err).toEqual(['tributary fail: broker at 127.0.0.1:1 is unreachable; start one with "tributary broker"'])
  })

  it('parseFlags throws a typed CliError', () => {
    expect(() => parseFlags('x', ['--nope'], {})).toThrow(CliError)
  })
})

describe('the installed tributary binary', () => {
  const bin = resolve(repoRoot, 'dist/src/cli/main.js')

  it('is built (npm install and npm test run the build) and executable, so `npx tributary` runs it', () => {
    expect(existsSync(bin), `${bin} is missing: run "npm run build"`).toBe(true)
    expect(statSync(bin).mode & 0o111).not.toBe(0)
    expect(readFileSync(bin, 'utf8').startsWith('#!/usr/bin/env node')).toBe(true)
  })

  it('prints usage and exits 0, rejects an unknown command with exit code 2', () => {
    const help = spawnSync(process.execPath, [bin, '--help'], { encoding: 'utf8' })
    expect(help.status).toBe(0)
    expect(help.stdout).toContain('Usage: tributary <command> [options]')
    const bad = spawnSync(process.execPath, [bin, 'no-such-command'], { encoding: 'utf8' })
    expect(bad.status).toBe(2)
    expect(bad.stderr).toContain('unknown command "no-such-command"')
    expect(bad.stdout).toBe('')
  })
})
