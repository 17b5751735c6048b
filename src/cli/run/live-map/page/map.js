// The live map: polls /map/state.json each second and draws drivers, zones and assignments with
// Leaflet. Every element carries data attributes (data-driver-id, data-zone, data-surge) so that
// tests and scripts can read what is drawn.
/* global L, document, fetch, window */
'use strict'

const POLL_MS = 1000
const ASSIGNMENT_COLOUR = '#d6285a'

const map = L.map('map', { zoomSnap: 0.25, attributionControl: false })
const zoneLayer = L.layerGroup().addTo(map)
const assignmentLayer = L.layerGroup().addTo(map)
const driverLayer = L.layerGroup().addTo(map)
const zones = new Map()
const drivers = new Map()

function surgeColour(surge) {
  // 1.0 green, 2.0 yellow, 3.0 red.
  const t = Math.max(0, Math.min(1, (surge - 1) / 2))
  return `hsl(${Math.round(120 * (1 - t))} ${60 + 25 * t}% 55%)`
}

function setData(layer, attributes) {
  const element = layer.getElement()
  if (element === undefined || element === null) return
  for (const [name, value] of Object.entries(attributes)) {
    if (value === null) element.removeAttribute(name)
    else element.setAttribute(name, String(value))
  }
}

async function getJson(path) {
  const response = await fetch(path, { cache: 'no-store' })
  if (!response.ok) {
    // The run answers its errors as { error: { message } }: show what it says.
    const body = await response.json().catch(() => undefined)
    throw new Error(body?.error?.message ?? `${path}: HTTP ${response.status}`)
  }
  return response.json()
}

function drawCity(config) {
  const { city, tiles } = config
  map.fitBounds(city.bounds)
  if (tiles !== null) L.tileLayer(tiles, { maxZoom: 19 }).addTo(map)
  for (const { zone, boundary } of city.zones) {
    const polygon = L.polygon(boundary, { color: '#8d97a8', weight: 1, fillOpacity: 0.04, fillColor: '#8d97a8' }).addTo(zoneLayer)
    polygon.bindTooltip(zone)
    setData(polygon, { 'data-zone': zone })
    zones.set(zone, polygon)
  }
}

function drawZones(surges) {
  const seen = new Set()
  for (const { zone, surge, demand, supply } of surges) {
    const polygon = zones.get(zone)
    if (polygon === undefined) continue
    seen.add(zone)
    polygon.setStyle({ fillColor: surgeColour(surge), fillOpacity: 0.35 })
    polygon.setTooltipContent(`${zone}: ${surge.toFixed(2)}x (${demand} requests, ${supply} drivers available)`)
    setData(polygon, { 'data-surge': surge.toFixed(2), 'data-demand': demand, 'data-supply': supply })
  }
  for (const [zone, polygon] of zones) {
    if (seen.has(zone)) continue
    polygon.setStyle({ fillColor: '#8d97a8', fillOpacity: 0.04 })
    setData(polygon, { 'data-surge': null, 'data-demand': null, 'data-supply': null })
  }
}

function driverPopup(d) {
  const rating = d.rating === null ? '' : ` ★ ${d.rating.toFixed(1)}`
  return `<b>${d.name ?? d.id}</b>${rating}<br>${d.vehicle ?? 'vehicle unknown'}<br>${d.onTrip ? 'on a trip' : 'available'} · ${d.id}`
}

function drawDrivers(list) {
  const seen = new Set()
  let onTrip = 0
  for (const d of list) {
    seen.add(d.id)
    if (d.onTrip) onTrip++
    const colour = d.onTrip ? '#2857d6' : '#1a9e5a'
    let marker = drivers.get(d.id)
    if (marker === undefined) {
      marker = L.circleMarker([d.lat, d.lng], { radius: 5, weight: 1, color: '#ffffff', fillColor: colour, fillOpacity: 0.95 }).addTo(driverLayer)
      marker.bindPopup(driverPopup(d))
      drivers.set(d.id, marker)
    } else {
      marker.setLatLng([d.lat, d.lng])
      marker.setStyle({ fillColor: colour })
      marker.setPopupContent(driverPopup(d))
    }
    setData(marker, { 'data-driver-id': d.id, 'data-lat': d.lat, 'data-lng': d.lng, 'data-on-trip': d.onTrip })
  }
  for (const [id, marker] of drivers) {
    if (seen.has(id)) continue
    driverLayer.removeLayer(marker)
    drivers.delete(id)
  }
  document.getElementById('available').textContent = String(list.length - onTrip)
  document.getElementById('on-trip').textContent = String(onTrip)
}

function drawAssignments(list) {
  assignmentLayer.clearLayers()
  for (const a of list) {
    if (a.driver === null || a.pickup === null) continue
    const line = L.polyline([[a.driver.lat, a.driver.lng], [a.pickup.lat, a.pickup.lng]], { color: ASSIGNMENT_COLOUR, weight: 2, dashArray: '4 4' }).addTo(assignmentLayer)
    line.bindTooltip(`${a.driverId} → ${a.requestId}, ETA ${Math.round(a.etaSeconds / 60)} min`)
    setData(line, { 'data-assignment': a.requestId, 'data-driver': a.driverId })
    L.circleMarker([a.pickup.lat, a.pickup.lng], { radius: 3, color: ASSIGNMENT_COLOUR, fillOpacity: 1 }).addTo(assignmentLayer)
  }
}

function cell(text, numeric) {
  const td = document.createElement('td')
  td.textContent = text
  if (numeric) td.className = 'num'
  return td
}

function drawPanel(snapshot) {
  const body = document.querySelector('#applications tbody')
  body.replaceChildren(...snapshot.applications.map((a) => {
    const row = document.createElement('tr')
    row.dataset.application = a.name
    row.append(cell(a.name), cell(a.state), cell(a.processedPerSecond === undefined ? '-' : Math.round(a.processedPerSecond).toLocaleString(), true),
      cell(a.lag === undefined ? '-' : a.lag.toLocaleString(), true))
    return row
  }))
  document.getElementById('fleet').hidden = snapshot.drivers === null
  document.getElementById('surge').hidden = snapshot.zones === null
  if (snapshot.windowStart !== null) {
    const surging = (snapshot.zones ?? []).filter((z) => z.surge > 1).length
    document.getElementById('surge-window').textContent =
      `Minute from ${new Date(snapshot.windowStart).toISOString().slice(11, 16)} UTC: ${surging} of ${snapshot.zones.length} zones surging`
  }
  document.getElementById('rides').hidden = snapshot.rides === null
  document.getElementById('ride-list').replaceChildren(...(snapshot.rides ?? []).map((r) => {
    const li = document.createElement('li')
    li.textContent = `${r.driverId}: ${(r.durationMs / 60000).toFixed(1)} min, ${r.distanceKm.toFixed(1)} km, $${(r.priceCents / 100).toFixed(2)}${r.surge > 1 ? ` (${r.surge.toFixed(1)}x)` : ''}`
    return li
  }))
}

async function tick() {
  const status = document.getElementById('status')
  try {
    const snapshot = await getJson('/map/state.json')
    if (snapshot.zones !== null) drawZones(snapshot.zones)
    if (snapshot.drivers !== null) drawDrivers(snapshot.drivers)
    if (snapshot.assignments !== null) drawAssignments(snapshot.assignments)
    drawPanel(snapshot)
    status.className = ''
    status.textContent = `Updated ${new Date(snapshot.at).toLocaleTimeString()}`
  } catch (error) {
    status.className = 'error'
    status.textContent = error instanceof TypeError ? 'Cannot reach the run: is it still running?' : error.message
  } finally {
    window.setTimeout(tick, POLL_MS)
  }
}

getJson('/map/config.json').then((config) => {
  drawCity(config)
  document.title = `Tributary live map: ${config.topologies.join(', ')}`
  return tick()
}, (error) => {
  document.getElementById('status').textContent = `Cannot load the map: ${error.message}`
})
