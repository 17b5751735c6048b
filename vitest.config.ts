import { defineConfig } from 'vitest/config'

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    // e2e tests start brokers and child processes: give them room, but fail a hung test.
    testTimeout: 60_000,
    hookTimeout: 60_000,
    // Two cores: forks keep native addons (rocksdb) isolated per test file.
    pool: 'forks',
    reporters: ['default'],
  },
})
