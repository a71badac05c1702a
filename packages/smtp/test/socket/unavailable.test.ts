import { expect, test } from 'vitest'
import { nodeSockets } from '../../src/socket/unavailable.js'

test('the stand-in for Node sockets in Workers and browser builds refuses to connect, saying why', async () => {
  await expect(nodeSockets.connect({ host: '127.0.0.1', port: 25, tls: false })).rejects.toThrow(
    /not in this build of @mail\/smtp.*cloudflare:sockets.*socket adapter/,
  )
})
