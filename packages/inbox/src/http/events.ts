import type { ServerResponse } from 'node:http'
import type { Catalog } from '../catalog.js'
import type { InboxEvent } from '../types.js'
import { DATA_CSP, secure } from './respond.js'

const KEEP_ALIVE_MS = 15_000
// A reader that stops reading is dropped rather than buffered for without end.
const MAX_BUFFERED = 16 * 1024 * 1024

/**
 * One Server-Sent Event (HTML Living Standard 9.2): `event: message` with the InboxMessage,
 * `event: delete` with `{ id }`. JSON never contains a raw line break, so one data line holds it.
 */
export function formatEvent(event: InboxEvent): string {
  const data = event.type === 'message' ? event.message : { id: event.id }
  return `event: ${event.type}\ndata: ${JSON.stringify(data)}\n\n`
}

/** `GET /api/events`: every arrival and deletion as it happens, comments to keep it open. */
export function streamEvents(catalog: Catalog, res: ServerResponse): void {
  secure(res, DATA_CSP)
  res.writeHead(200, {
    'Content-Type': 'text/event-stream; charset=utf-8',
    Connection: 'keep-alive',
  })
  res.write(': connected\n\n')
  const unsubscribe = catalog.subscribe((event) => {
    if (res.writableLength > MAX_BUFFERED) return void res.destroy()
    res.write(formatEvent(event))
  })
  const keepAlive = setInterval(() => res.write(': keep-alive\n\n'), KEEP_ALIVE_MS)
  keepAlive.unref()
  const stop = () => {
    clearInterval(keepAlive)
    unsubscribe()
  }
  res.on('close', stop)
}
