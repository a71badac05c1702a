import { describe, expect, test } from 'vitest'
import { MimeError } from '../../src/errors.js'
import { msgId, msgIdList } from '../../src/header/msg-id.js'

describe('msgId', () => {
  test('accepts an ID with or without angle brackets', () => {
    expect(msgId('abc@example.com', 'messageId')).toBe('<abc@example.com>')
    expect(msgId('<abc@example.com>', 'messageId')).toBe('<abc@example.com>')
  })

  test('accepts the dot-atom and domain-literal forms real mailers write', () => {
    for (const id of [
      'CAB+x=y_Z@mail.gmail.com',
      'AM0PR01MB1234.eurprd01.prod.exchangelabs.com@AM0PR01MB1234.eurprd01.prod.exchangelabs.com',
      "20261128.a!#$%&'*+-/=?^_`{|}~@example.com",
      'abc@[192.0.2.1]',
      'abc@[]',
    ]) {
      expect(msgId(id, 'messageId')).toBe(`<${id}>`)
    }
  })

  test.each([
    'abc',
    'a b@example.com',
    '<a@b',
    'a<b@example.com',
    '',
    'a@',
    '@b',
    // RFC 5322 3.6.4: id-left and id-right are dot-atom-text (or a no-fold-literal on the right)
    'a(b)@example.com',
    'a,b@example.com',
    'a@b@example.com',
    'a"b@example.com',
    'a..b@example.com',
    '.a@example.com',
    'a.@example.com',
    'a@[b',
    'a@b[c]',
    'a:b@c;d',
    'a\\b@example.com',
    'a@[b\\]',
    'é@example.com',
  ])('rejects %j', (value) => {
    expect(() => msgId(value, 'messageId')).toThrow(MimeError)
  })
})

describe('msgIdList', () => {
  test('splits on whitespace', () => {
    expect(msgIdList('<a@x> b@y', 'references')).toEqual(['<a@x>', '<b@y>'])
  })

  test('rejects an empty list', () => {
    expect(() => msgIdList('  ', 'references')).toThrow(MimeError)
  })
})
