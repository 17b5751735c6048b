import { spawn } from 'node:child_process'
import { mkdtempSync, rmSync, existsSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join, resolve } from 'node:path'
import { afterEach, describe, expect, it } from 'vitest'
import { generateCertificates } from '../broker/fixtures/certificates.js'
import { haveKcat, kcat } from '../broker/fixtures/kcat.js'

const bin = resolve(import.meta.dirname, '../../dist/src/cli/main.js')
const dirs: string[] = []
afterEach(() => {
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true })
})

function startBroker(args: string[]) {
  const child = spawn(process.execPath, [bin, 'broker', ...args], { stdio: ['ignore', 'pipe', 'pipe'] })
  let stdout = ''
  let stderr = ''
  child.stdout.on('data', (d: Buffer) => (stdout += d.toString()))
  child.stderr.on('data', (d: Buffer) => (stderr += d.toString()))
  const exited = new Promise<number | null>((done) => child.on('exit', (code) => done(code)))
  const ready = new Promise<void>((done, fail) => {
    const timer = setInterval(() => {
      if (stdout.includes('Press Ctrl-C')) {
        clearInterval(timer)
        done()
      }
    }, 20)
    void exited.then((code) => {
      clearInterval(timer)
      fail(new Error(`broker exited early with ${code}: ${stderr}`))
    })
  })
  return { child, ready, exited, output: () => ({ stdout, stderr }) }
}

describe('tributary broker', () => {
  it('serves Kafka and the schema registry, and stops cleanly on SIGINT', async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'tributary-cli-broker-'))
    dirs.push(dataDir)
    const broker = startBroker(['--port', '0', '--registry-port', '0', '--data-dir', dataDir])
    await broker.ready
    const { stdout } = broker.output()
    const kafkaAddress = /Kafka broker listening on (127\.0\.0\.1:\d+)/.exec(stdout)?.[1]
    const registryUrl = /Schema registry listening on (http:\/\/127\.0\.0\.1:\d+)/.exec(stdout)?.[1]
    expect(kafkaAddress).toBeDefined()
    expect(registryUrl).toBeDefined()
    const subjects = await fetch(`${registryUrl}/subjects`)
    expect(await subjects.json()).toEqual([])
    const { Kafka, logLevel } = await import('kafkajs')
    const admin = new Kafka({ brokers: [kafkaAddress!], logLevel: logLevel.NOTHING }).admin()
    await admin.connect()
    await admin.createTopics({ topics: [{ topic: 'cli-check', numPartitions: 2 }] })
    expect(await admin.listTopics()).toContain('cli-check')
    await admin.disconnect()
    broker.child.kill('SIGINT')
    expect(await broker.exited).toBe(0)
    expect(broker.output().stdout).toContain('Stopped.')
    expect(existsSync(dataDir)).toBe(true)
  })

  it('fails with one clear line and a non-zero exit when the port is taken', async () => {
    const first = startBroker(['--port', '0', '--no-registry'])
    await first.ready
    const port = /listening on 127\.0\.0\.1:(\d+)/.exec(first.output().stdout)![1]!
    const dataDir = mkdtempSync(join(tmpdir(), 'tributary-cli-broker-'))
    dirs.push(dataDir)
    const second = startBroker(['--port', port, '--no-registry', '--data-dir', dataDir])
    await expect(second.ready).rejects.toThrow()
    expect(await second.exited).toBe(1)
    const lines = second.output().stderr.trim().split('\n')
    expect(lines).toHaveLength(1)
    expect(lines[0]).toMatch(new RegExp(`^tributary broker: .*${port}.*another port`))
    first.child.kill('SIGTERM')
    expect(await first.exited).toBe(0)
  })

  it('rejects a bad flag value with exit code 2', async () => {
    const bad = startBroker(['--partitions', 'many'])
    await expect(bad.ready).rejects.toThrow()
    expect(await bad.exited).toBe(2)
    expect(bad.output().stderr).toContain('--partitions must be an integer >= 1')
  })

  it.skipIf(!haveKcat)('serves SASL_SSL with --tls-cert, --tls-key and --sasl-users, and kcat produces and consumes over it', async () => {
    const certs = generateCertificates()
    dirs.push(certs.dir)
    const users = join(certs.dir, 'users.txt')
    writeFileSync(users, '# test users\nalice:alice-secret\n')
    const tlsFiles = ['--tls-cert', join(certs.dir, 'server.crt'), '--tls-key', join(certs.dir, 'server.key')]
    const broker = startBroker(['--port', '0', '--no-registry', '--data-dir', join(certs.dir, 'data'), ...tlsFiles, '--sasl-users', users, '--sasl-mechanisms', 'SCRAM-SHA-256'])
    await broker.ready
    const { stdout } = broker.output()
    expect(stdout).toContain('Clients connect with security.protocol=SASL_SSL with SASL SCRAM-SHA-256')
    const address = /Kafka broker listening on (127\.0\.0\.1:\d+)/.exec(stdout)![1]!
    const auth = ['-X', 'security.protocol=sasl_ssl', '-X', `ssl.ca.location=${certs.caFile}`, '-X', 'sasl.mechanisms=SCRAM-SHA-256', '-X', 'sasl.username=alice', '-X', 'sasl.password=alice-secret']
    await kcat(['-b', address, ...auth, '-P', '-t', 'rides', '-K:'], 'ride-1:requested\n')
    expect(await kcat(['-b', address, ...auth, '-C', '-t', 'rides', '-o', 'beginning', '-e', '-f', '%k=%s\n'])).toBe('ride-1=requested\n')
    broker.child.kill('SIGINT')
    expect(await broker.exited).toBe(0)
  })

  it('rejects a --sasl-users file it cannot use with one line and exit code 2', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'tributary-cli-broker-'))
    dirs.push(dir)
    writeFileSync(join(dir, 'users.txt'), 'alice\n')
    const bad = startBroker(['--port', '0', '--no-registry', '--sasl-users', join(dir, 'users.txt')])
    await expect(bad.ready).rejects.toThrow()
    expect(await bad.exited).toBe(2)
    expect(bad.output().stderr.trim()).toMatch(/^tributary broker: --sasl-users file ".*users.txt" line 1: expected "name:password" with both non-empty\.$/)
  })
})
