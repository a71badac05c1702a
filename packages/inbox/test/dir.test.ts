import { describe, expect, it } from 'vitest'
import { inboxDir } from '../src/dir.js'

describe('inboxDir', () => {
  it('is .mail/inbox under the working directory by default', () => {
    expect(inboxDir({}, '/home/me/project')).toBe('/home/me/project/.mail/inbox')
  })

  it('follows MAIL_INBOX, relative to the working directory when relative', () => {
    expect(inboxDir({ MAIL_INBOX: '/tmp/box' }, '/w')).toBe('/tmp/box')
    expect(inboxDir({ MAIL_INBOX: 'box' }, '/w')).toBe('/w/box')
  })
})
