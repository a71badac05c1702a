// @ts-check
/** The message list: one row per message, built once and reused while the message exists. */

import { el, icon } from './dom.js'
import { formatBytes, longTime, mailbox, shortName, shortTime } from './format.js'

/** @typedef {import('../src/types.js').InboxMessage} InboxMessage */

/** @type {Map<string, HTMLDivElement>} */
const rows = new Map()

/** The id a row's element id carries (`m-<id>`). */
export const rowId = (/** @type {string} */ id) => `m-${id}`

/** @param {InboxMessage} m */
function buildRow(m) {
  const attached = m.attachments.filter((a) => a.disposition !== 'inline' || !a.cid).length
  const to = [...m.to, ...m.cc].map((a) => a.address).join(', ') || m.envelope.to.join(', ')
  const row = el('div', { class: 'row', role: 'option', id: rowId(m.id), tabindex: '-1' }, [
    el('div', { class: 'row-line' }, [
      el('span', { class: 'row-from', title: mailbox(m.from) }, shortName(m.from)),
      el(
        'time',
        { class: 'row-time', datetime: m.receivedAt, title: longTime(m.receivedAt) },
        shortTime(m.receivedAt),
      ),
    ]),
    el('div', { class: 'row-line' }, [
      el('span', { class: 'row-subject' }, m.subject || '(no subject)'),
      attached > 0
        ? el(
            'span',
            { class: 'row-clip', title: `${attached} attachment${attached === 1 ? '' : 's'}` },
            [
              icon('i-clip'),
              el(
                'span',
                { class: 'visually-hidden' },
                `, ${attached} attachment${attached === 1 ? '' : 's'}`,
              ),
            ],
          )
        : '',
    ]),
    el('div', { class: 'row-line row-meta' }, [
      el('span', { class: 'row-to', title: to }, to ? `to ${to}` : ''),
      el('span', { class: 'row-size' }, formatBytes(m.size)),
    ]),
  ])
  row.dataset.id = m.id
  return row
}

/**
 * Shows `messages` in `list`, `selected` marked and focusable (a roving tabindex: Tab enters the
 * list on the selected row, arrow keys move within it). Focus stays on the row it was on.
 * @param {HTMLElement} list
 * @param {InboxMessage[]} messages
 * @param {string | undefined} selected
 */
export function renderList(list, messages, selected) {
  const active = document.activeElement
  const focused =
    active instanceof HTMLElement && active.parentElement === list ? active.dataset.id : undefined
  const present = new Set(messages.map((m) => m.id))
  for (const id of rows.keys()) if (!present.has(id)) rows.delete(id)
  const items = messages.map((m) => {
    let row = rows.get(m.id)
    if (!row) {
      row = buildRow(m)
      rows.set(m.id, row)
    }
    return row
  })
  list.replaceChildren(...items)
  const tabStop = selected && present.has(selected) ? selected : messages[0]?.id
  for (const row of items) {
    const id = row.dataset.id
    row.setAttribute('aria-selected', String(id === selected))
    row.tabIndex = id === tabStop ? 0 : -1
  }
  if (focused && rows.has(focused)) rows.get(focused)?.focus()
}

/**
 * Marks a freshly arrived message's row, for a moment.
 * @param {string} id
 */
export function flashRow(id) {
  const row = rows.get(id)
  if (!row) return
  row.classList.add('is-new')
  row.addEventListener('animationend', () => row.classList.remove('is-new'), { once: true })
}
