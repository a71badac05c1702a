import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http'
import type { AddressInfo } from 'node:net'
import type { Catalog } from '../catalog.js'
import { InboxError } from '../errors.js'
import { listen } from '../listen.js'
import { type ApiInfo, handleApi } from './api.js'
import { loadAssets } from './assets.js'
import { PAGE_CSP, secure, sendError } from './respond.js'

/** Options of {@link startHttp}. */
export interface HttpOptions {
  host: string
  port: number
  maxConnections: number
  catalog: Catalog
  info: ApiInfo
}

/** The listening HTTP side. */
export interface HttpSide {
  host: string
  port: number
  close(): Promise<void>
}

const LOOPBACK_NAMES = /^(?:localhost|.+\.localhost|127(?:\.\d{1,3}){3}|\[::1\])$/i

function isLoopback(host: string): boolean {
  return LOOPBACK_NAMES.test(host) || host === '::1'
}

/**
 * DNS rebinding guard: an inbox listening on loopback answers only requests addressed to a
 * loopback name. A web page whose domain an attacker points at 127.0.0.1 would otherwise read
 * the inbox from the user's own browser.
 */
function hostAllowed(req: IncomingMessage, listenHost: string): boolean {
  if (!isLoopback(listenHost)) return true
  const host = req.headers.host
  if (!host) return false
  const name = host.replace(/:\d+$/, '')
  return isLoopback(name)
}

/** A deletion may come from the page itself only (a browser names the page's origin). */
function originAllowed(req: IncomingMessage): boolean {
  const origin = req.headers.origin
  if (origin === undefined || req.method === 'GET' || req.method === 'HEAD') return true
  try {
    return new URL(origin).host === req.headers.host
  } catch {
    return false
  }
}

/**
 * Starts the HTTP side (node:http): the page at `/`, its files under `/assets/`, the JSON API
 * and the event stream under `/api/`.
 */
export async function startHttp(options: HttpOptions): Promise<HttpSide> {
  const { catalog, info } = options
  const assets = await loadAssets()

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    if (!hostAllowed(req, options.host)) {
      return sendError(res, 403, 'this inbox answers only to a loopback host name')
    }
    if (!originAllowed(req)) return sendError(res, 403, 'cross-origin request refused')
    const url = new URL(req.url ?? '/', 'http://inbox.invalid')
    const api = url.pathname.startsWith('/api/')
    // RFC 9110 15.5.6: a method the resource does not support is 405, with the ones it does.
    const allow = api ? ['GET', 'HEAD', 'DELETE'] : ['GET', 'HEAD']
    if (!allow.includes(req.method ?? '')) {
      res.setHeader('Allow', allow.join(', '))
      return sendError(res, 405, `${req.method} is not allowed here: use ${allow.join(', ')}`)
    }
    const asset = assets.get(url.pathname)
    if (asset) {
      secure(res, PAGE_CSP)
      res.writeHead(200, { 'Content-Type': asset.type, 'Content-Length': asset.body.length })
      res.end(asset.body)
      return
    }
    if (api) {
      const segments = url.pathname.slice('/api/'.length).split('/')
      if (await handleApi(catalog, info, req, res, url, segments)) return
    }
    sendError(res, 404, `no ${req.method} ${url.pathname} here`)
  }

  const server: Server = createServer((req, res) => {
    handle(req, res).catch((err: unknown) => {
      if (res.headersSent) return void res.destroy()
      if (err instanceof InboxError) return sendError(res, 400, err.message)
      sendError(res, 500, (err as Error).message)
    })
  })
  server.maxConnections = options.maxConnections
  await listen(server, options.port, options.host)
  const { port } = server.address() as AddressInfo
  return {
    host: options.host,
    port,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve())
        // Event streams and waiting requests never end by themselves.
        server.closeAllConnections()
      }),
  }
}
