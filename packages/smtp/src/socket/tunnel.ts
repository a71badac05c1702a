// Opening a connection through a proxy on Node's net (Node, Bun, Deno). Only the Node socket
// adapter loads this file, when a proxy is asked for, and it loads the npm `socks` client only
// for a SOCKS5 proxy. Builds for Workers and browsers never reach it: there `#node-sockets` is a
// stand-in (package.json "imports"), so they carry neither this file nor `socks`.
import type { Socket } from 'node:net'
import { type ProxyEndpoint, proxyError } from '../proxy/endpoint.js'
import {
  authority,
  connectRefusal,
  connectRequest,
  parseConnectReply,
} from '../proxy/http-connect.js'
import { socksFailure } from '../proxy/socks.js'

/** A connection to the SMTP server through the proxy, paused, with what the server sent already. */
export interface Tunnel {
  socket: Socket
  /** Bytes from the SMTP server that arrived together with the proxy's answer. */
  head: Uint8Array
}

let socks: Promise<typeof import('socks')> | undefined

/**
 * Connects to the proxy and asks it for a tunnel to `host:port`: SOCKS5 (RFC 1928, user and
 * password per RFC 1929, the host name resolved by the proxy) or HTTP CONNECT. Failures are
 * SmtpErrors naming the proxy and the step; the caller's signal ends any step.
 */
export async function openTunnel(
  net: typeof import('node:net'),
  proxy: ProxyEndpoint,
  target: { host: string; port: number },
  signal: AbortSignal | undefined,
): Promise<Tunnel> {
  const socket = await reach(net, proxy, signal)
  const step =
    proxy.protocol === 'http'
      ? `CONNECT to ${authority(target.host, target.port)}`
      : 'the SOCKS5 handshake'
  let abort: () => void = () => {}
  try {
    const aborted = new Promise<never>((_, reject) => {
      abort = () => {
        socket.destroy()
        reject(proxyError(proxy, step, 'timed out', true))
      }
      if (signal?.aborted) abort()
      signal?.addEventListener('abort', abort, { once: true })
    })
    aborted.catch(() => {})
    const handshake =
      proxy.protocol === 'http' ? httpConnect(socket, proxy, target) : socks5(socket, proxy, target)
    return await Promise.race([handshake, aborted])
  } catch (e) {
    socket.destroy()
    throw e
  } finally {
    signal?.removeEventListener('abort', abort)
  }
}

/** The TCP connection to the proxy itself. */
function reach(
  net: typeof import('node:net'),
  proxy: ProxyEndpoint,
  signal: AbortSignal | undefined,
): Promise<Socket> {
  return new Promise((resolve, reject) => {
    const socket = net.connect({ host: proxy.host, port: proxy.port })
    const fail = (e: Error, detail = (e as { code?: string }).code ?? e.message) => {
      socket.destroy()
      signal?.removeEventListener('abort', abort)
      // Unreachable now may be reachable later.
      reject(proxyError(proxy, 'the TCP connection', detail, true))
    }
    const abort = () => fail(new Error('timed out'), 'timed out')
    if (signal?.aborted) return abort()
    signal?.addEventListener('abort', abort, { once: true })
    socket.once('error', fail)
    socket.once('connect', () => {
      socket.off('error', fail)
      signal?.removeEventListener('abort', abort)
      socket.setNoDelay(true)
      resolve(socket)
    })
  })
}

function httpConnect(
  socket: Socket,
  proxy: ProxyEndpoint,
  target: { host: string; port: number },
): Promise<Tunnel> {
  const step = `CONNECT to ${authority(target.host, target.port)}`
  return new Promise((resolve, reject) => {
    let received = Buffer.alloc(0)
    const done = () => {
      socket.off('data', onData)
      socket.off('close', onClose)
      socket.off('error', onError)
    }
    const fail = (detail: string, transient: boolean) => {
      done()
      reject(proxyError(proxy, step, detail, transient))
    }
    const onData = (chunk: Buffer) => {
      received = Buffer.concat([received, chunk])
      let reply: ReturnType<typeof parseConnectReply>
      try {
        reply = parseConnectReply(received)
      } catch (e) {
        return fail((e as Error).message, false)
      }
      if (reply === undefined) return
      // RFC 9110 9.3.6: any 2xx answer turns the connection into the tunnel.
      if (reply.status < 200 || reply.status > 299) {
        const { detail, transient } = connectRefusal(reply, proxy.auth !== undefined)
        return fail(detail, transient)
      }
      done()
      socket.pause()
      resolve({ socket, head: received.subarray(reply.length) })
    }
    const onClose = () => fail('the proxy closed the connection before answering', true)
    const onError = (e: Error) => fail((e as { code?: string }).code ?? e.message, true)
    socket.on('data', onData)
    socket.once('close', onClose)
    socket.once('error', onError)
    socket.write(connectRequest(target.host, target.port, proxy.auth))
  })
}

async function socks5(
  socket: Socket,
  proxy: ProxyEndpoint,
  target: { host: string; port: number },
): Promise<Tunnel> {
  socks ??= import('socks').catch((e: unknown) => {
    socks = undefined
    throw e
  })
  const { SocksClient } = await socks
  try {
    await SocksClient.createConnection({
      command: 'connect',
      proxy: {
        host: proxy.host,
        port: proxy.port,
        type: 5,
        ...(proxy.auth === undefined ? {} : { userId: proxy.auth.user, password: proxy.auth.pass }),
      },
      destination: target,
      existing_socket: socket,
      // The connect timeout (the caller's signal) bounds the handshake, not the client's own timer.
      timeout: 2 ** 31 - 1,
    })
  } catch (e) {
    const failure = socksFailure(
      String((e as Error)?.message ?? e),
      authority(target.host, target.port),
    )
    throw proxyError(proxy, failure.step, failure.detail, failure.transient)
  }
  // The client hands over bytes that came with its last reply one macrotask later, then resumes
  // the socket: collect them, then hold the socket paused like an HTTP tunnel.
  const head: Buffer[] = []
  const collect = (chunk: Buffer) => head.push(chunk)
  socket.on('data', collect)
  await new Promise((resolve) => setImmediate(resolve))
  socket.off('data', collect)
  socket.pause()
  return { socket, head: Buffer.concat(head) }
}
