import { existsSync, mkdirSync, statSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { dirname, join, resolve } from 'node:path'
import puppeteer, { type Browser, type Page } from 'puppeteer-core'
import { afterAll, describe, expect, it } from 'vitest'
import { startTributaryRun, type TributaryRun } from './fixtures/tributary-run.js'

// A real browser: Debian's chromium (`apt-get install -y chromium`; CI installs it), or the one
// CHROMIUM_PATH names.
const chromium = process.env.CHROMIUM_PATH ?? ['/usr/bin/chromium', '/usr/bin/chromium-browser'].find((path) => existsSync(path))
// The picture in README.md; TRIBUTARY_UPDATE_SCREENSHOT=1 writes it there instead of a temporary file.
const screenshotPath = process.env.TRIBUTARY_UPDATE_SCREENSHOT === '1'
  ? resolve(import.meta.dirname, '../../docs/images/fleet-map.png')
  : join(tmpdir(), `tributary-fleet-map-${process.pid}.png`)

let run: TributaryRun | undefined
let browser: Browser | undefined
afterAll(async () => {
  await browser?.close()
  await run?.stop()
})

/** The on-screen centres of the driver markers, by driver id. */
async function markerCentres(page: Page): Promise<Map<string, { x: number; y: number }>> {
  const entries = await page.$$eval('[data-driver-id]', (elements) =>
    elements.map((e) => {
      const box = e.getBoundingClientRect()
      return [e.getAttribute('data-driver-id')!, { x: box.x + box.width / 2, y: box.y + box.height / 2 }] as const
    }))
  return new Map(entries)
}

describe('the live map in a real browser (tributary run fleet-map surge-pricing)', () => {
  it('draws the drivers where they are, moves them, and colours the zones by surge', { timeout: 180_000 }, async () => {
    expect(chromium, 'no chromium: install it (apt-get install -y chromium) or set CHROMIUM_PATH').toBeDefined()
    const map = await startTributaryRun(['fleet-map', 'surge-pricing', '--duration', '150'])
    run = map
    expect(map.output()).toMatch(/^Running fleet-map \(at_least_once\): reads vehicle_locations/m)
    expect(map.output()).toMatch(/^Running surge-pricing \(at_least_once, upstream watermarks\): reads ride_requests, vehicle_locations/m)

    browser = await puppeteer.launch({ executablePath: chromium!, headless: true, args: ['--no-sandbox', '--disable-gpu', '--disable-dev-shm-usage'] })
    const page = await browser.newPage()
    await page.setViewport({ width: 1280, height: 800 })
    const failures: string[] = []
    page.on('pageerror', (error) => failures.push(String(error)))
    page.on('requestfailed', (request) => failures.push(`${request.url()}: ${request.failure()?.errorText}`))
    await page.goto(map.url, { waitUntil: 'load' })

    // Every zone of the city is outlined before any record arrives.
    const zones = await page.$$eval('[data-zone]', (elements) => elements.length)
    expect(zones).toBeGreaterThan(20)
    // 200 drivers ping every second; at least 50 are on the map once fleet-map has joined a few.
    await page.waitForFunction("document.querySelectorAll('[data-driver-id]').length >= 50", { timeout: 90_000, polling: 500 })
    const first = await markerCentres(page)
    // Drivers drive at 15-60 km/h: in 5 s most move by a visible amount at the city's zoom.
    await new Promise((done) => setTimeout(done, 5_000))
    const second = await markerCentres(page)
    const moved = [...first].filter(([id, p]) => {
      const q = second.get(id)
      return q !== undefined && Math.hypot(q.x - p.x, q.y - p.y) >= 0.5
    })
    expect(moved.length).toBeGreaterThanOrEqual(first.size / 2)
    // Each marker sits where its driver is: inside the city's bounds on screen.
    const mapBox = (await page.$eval('#map', (e) => e.getBoundingClientRect().toJSON())) as { x: number; y: number; width: number; height: number }
    for (const p of second.values()) {
      expect(p.x).toBeGreaterThanOrEqual(mapBox.x)
      expect(p.x).toBeLessThanOrEqual(mapBox.x + mapBox.width)
    }

    // surge-pricing's windows give zones a surge multiplier within the first minute of the city.
    await page.waitForFunction("document.querySelectorAll('[data-zone][data-surge]').length > 0", { timeout: 60_000, polling: 500 })
    const surges = await page.$$eval('[data-zone][data-surge]', (elements) => elements.map((e) => Number(e.getAttribute('data-surge'))))
    for (const surge of surges) {
      expect(surge).toBeGreaterThanOrEqual(1)
      expect(surge).toBeLessThanOrEqual(3)
    }
    // The side panel lists both applications, running.
    const applications = await page.$$eval('#applications tbody tr', (rows) => rows.map((r) => [r.getAttribute('data-application'), r.children[1]!.textContent]))
    expect(applications.map(([name]) => name)).toEqual(['fleet-map', 'surge-pricing'])
    // A driver's card opens on click with its profile (fleet-map joins the driver's name and vehicle).
    const someDriver = [...second.values()][0]!
    await page.mouse.click(someDriver.x, someDriver.y)
    await page.waitForSelector('.leaflet-popup-content', { timeout: 5_000 })
    expect(await page.$eval('.leaflet-popup-content', (e) => e.textContent)).toMatch(/driver-\d+/)
    await page.mouse.click(mapBox.x + 5, mapBox.y + mapBox.height - 5)

    mkdirSync(dirname(screenshotPath), { recursive: true })
    await page.screenshot({ path: screenshotPath })
    expect(statSync(screenshotPath).size).toBeGreaterThan(20_000)
    expect(failures).toEqual([])

    // The query server answers beside the map: the driver's latest position by key, and metrics.
    const [driverId] = second.keys()
    const answer = await fetch(new URL(`/stores/fleet-map-latest-positions/keys/${driverId}`, map.url))
    expect(answer.status).toBe(200)
    expect(((await answer.json()) as { value: { driverId: string } }).value.driverId).toBe(driverId)
    const metrics = await (await fetch(new URL('/metrics', map.url))).text()
    expect(metrics).toMatch(/^tributary_records_processed_total\{application_id="fleet-map"\} [1-9]/m)
    expect(metrics).toMatch(/^tributary_records_processed_total\{application_id="surge-pricing"\} [1-9]/m)
  })
})
