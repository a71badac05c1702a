import type { IncomingMessage, ServerResponse } from 'node:http'
import { type Catalog, MAX_WAIT_MS } from '../catalog.js'
import { InboxError } from '../errors.js'
import { checkFilter } from '../filter.js'
import type { InboxFilter } from '../types.js'
import { streamEvents } from './events.js'
import { messageCsp, openLinksInNewTab, resolveCids } from './html.js'
import {
  contentDisposition,
  safeContentType,
  sendBytes,
  sendError,
  sendJson,
  sendNoContent,
} from './respond.js'

/** What the page needs to know of the inbox it shows. */
export interface ApiInfo {
  smtpUrl: string
  maxMessageSize: number
}

/** The query of a list or wait request: known keys only, each once. */
function queryOf(url: URL, extra: readonly string[] = []): Record<string, string> {
  const query: Record<string, string> = {}
  for (const key of new Set(url.searchParams.keys())) {
    const values = url.searchParams.getAll(key)
    if (values.length > 1)
      throw new InboxError(`filter.${key}`, `query parameter ${key} given twice`)
    query[key] = values[0]!
  }
  checkFilter(query, extra)
  return query
}

function filterOf(query: Record<string, string>): InboxFilter {
  const { to, from, subject } = query
  return checkFilter({ to, from, subject })
}

function timeoutOf(value: string | undefined): number | undefined {
  if (value === undefined) return undefined
  const ms = Number(value)
  if (!/^\d+$/.test(value) || ms > MAX_WAIT_MS) {
    throw new InboxError(
      'timeoutMs',
      `timeoutMs must be a whole number of milliseconds up to ${MAX_WAIT_MS}`,
    )
  }
  return ms
}

const notFound = (res: ServerResponse, id: string) =>
  sendError(res, 404, `no message ${JSON.stringify(id)} in the inbox`)

/**
 * The JSON API and the message documents under `/api/`. Returns false when no route matches
 * (the caller answers 404); `segments` is the path after `/api/`, already split.
 */
export async function handleApi(
  catalog: Catalog,
  info: ApiInfo,
  req: IncomingMessage,
  res: ServerResponse,
  url: URL,
  segments: string[],
): Promise<boolean> {
  const read = req.method === 'GET' || req.method === 'HEAD'
  const [top, id, sub, index, ...rest] = segments
  if (rest.length > 0) return false
  if (top === 'info' && id === undefined && read) {
    sendJson(res, 200, info)
    return true
  }
  if (top === 'events' && id === undefined && read) {
    streamEvents(catalog, res)
    return true
  }
  if (top !== 'messages') return false

  if (id === undefined) {
    if (read) sendJson(res, 200, await catalog.messages(filterOf(queryOf(url))))
    else if (req.method === 'DELETE') {
      await catalog.clear()
      sendNoContent(res)
    } else return false
    return true
  }

  if (id === 'wait' && sub === undefined && read) {
    const query = queryOf(url, ['timeoutMs'])
    const timeoutMs = timeoutOf(query.timeoutMs)
    const gone = new AbortController()
    res.on('close', () => gone.abort())
    try {
      const message = await catalog.waitFor(filterOf(query), {
        signal: gone.signal,
        ...(timeoutMs === undefined ? {} : { timeoutMs }),
      })
      sendJson(res, 200, message)
    } catch (err) {
      if (gone.signal.aborted) return true
      if ((err as Error).name !== 'TimeoutError') throw err
      sendError(res, 408, (err as Error).message)
    }
    return true
  }

  if (sub === undefined) {
    if (read) {
      const message = await catalog.message(id)
      if (message) sendJson(res, 200, message)
      else notFound(res, id)
    } else if (req.method === 'DELETE') {
      if (await catalog.delete(id)) sendNoContent(res)
      else notFound(res, id)
    } else return false
    return true
  }

  if (!read) return false
  if (sub === 'raw' && index === undefined) {
    const raw = await catalog.raw(id)
    if (raw) {
      sendBytes(res, raw, {
        'Content-Type': 'message/rfc822',
        'Content-Disposition': contentDisposition(`${id}.eml`),
      })
    } else notFound(res, id)
    return true
  }
  if (sub === 'html' && index === undefined) {
    const message = await catalog.message(id)
    if (message?.html === undefined) {
      sendError(res, 404, `no HTML body in message ${JSON.stringify(id)}`)
      return true
    }
    const remote = url.searchParams.get('remote') === '1'
    const html = openLinksInNewTab(resolveCids(message.html, id, message.attachments))
    sendBytes(res, html, { 'Content-Type': 'text/html; charset=utf-8' }, messageCsp(remote))
    return true
  }
  if (sub === 'attachments' && index !== undefined) {
    const part = /^\d{1,6}$/.test(index) ? await catalog.attachment(id, Number(index)) : undefined
    if (!part) {
      sendError(res, 404, `no attachment ${JSON.stringify(index)} in message ${JSON.stringify(id)}`)
      return true
    }
    const name = part.attachment.filename ?? `attachment-${index}`
    sendBytes(res, part.content, {
      'Content-Type': safeContentType(part.attachment.contentType),
      'Content-Disposition': contentDisposition(name),
    })
    return true
  }
  return false
}
