import { describe, expect, it } from 'vitest'
import { formatListener, parseListener } from '../../src/broker/listener.js'

describe('advertised listener addresses', () => {
  it('parses host:port and [ipv6]:port, and formats them back', () => {
    expect(parseListener('kafka.example.com:19092')).toEqual({ host: 'kafka.example.com', port: 19092 })
    expect(parseListener(' 10.0.0.7:9092 ')).toEqual({ host: '10.0.0.7', port: 9092 })
    expect(parseListener('[::1]:9092')).toEqual({ host: '::1', port: 9092 })
    expect(formatListener({ host: '::1', port: 9092 })).toBe('[::1]:9092')
    expect(formatListener({ host: 'localhost', port: 1 })).toBe('localhost:1')
  })

  it('refuses what no client could connect to', () => {
    for (const bad of ['', 'localhost', 'localhost:', ':9092', 'localhost:0', 'localhost:65536', '::1:9092', '[::1]', 'a b:1', 'host:92x']) {
      expect(parseListener(bad)).toBeNull()
    }
  })
})
