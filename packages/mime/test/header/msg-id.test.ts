import { describe, expect, test } from 'vitest'
import { MimeError } from '../../src/errors.js'
import { msgId, msgIdList } from '../../src/header/msg-id.js'

describe('msgId', () => {
  test('accepts an ID with or without angle brackets', () => {
    expect(msgId('abc@example.com', 'messageId')).toBe('<abc@example.com>')
    expect(msgId('<abc@example.com>', 'messageId')).toBe('<abc@example.com>')
  })

  test.each(['abc', 'a b@example.com', '<a@b', 'a<b@example.com', '', 'a@', '@b'])(
    'rejects %j',
    (value) => {
      expect(() => msgId(value, 'messageId')).toThrow(MimeError)
    },
  )
})

describe('msgIdList', () => {
  test('splits on whitespace', () => {
    expect(msgIdList('<a@x> b@y', 'references')).toEqual(['<a@x>', '<b@y>'])
  })

  test('rejects an empty list', () => {
    expect(() => msgIdList('  ', 'references')).toThrow(MimeError)
  })
})
