// @ts-check
/** The message view: a header, then tabs for the HTML, the text, the headers, the source and the attachments. */
import { attachmentUrl, htmlUrl, rawSource, rawUrl } from './api.js'
import { el, icon } from './dom.js'
import { formatBytes, hasRemoteContent, longTime, mailbox } from './format.js'

/** @typedef {import('../src/types.js').InboxMessage} InboxMessage */
/** @typedef {'html' | 'text' | 'headers' | 'raw' | 'attachments'} TabName */

/**
 * @param {HTMLElement} pane
 * @param {InboxMessage} m
 * @param {{ onDelete(id: string): void, onBack(): void }} actions
 */
export function renderViewer(pane, m, actions) {
  /** @type {[TabName, string, () => HTMLElement][]} */
  const tabs = [
    ['text', 'Text', () => textPanel(m)],
    ['headers', 'Headers', () => headersPanel(m)],
    ['raw', 'Source', () => rawPanel(m)],
    ['attachments', `Attachments (${m.attachments.length})`, () => attachmentsPanel(m)],
  ]
  if (m.html !== undefined) tabs.unshift(['html', 'HTML', () => htmlPanel(m, m.html ?? '')])

  const tablist = el('div', { class: 'tabs', role: 'tablist', 'aria-label': 'Message parts' })
  const panels = el('div', { class: 'panels' })
  /** @type {HTMLButtonElement[]} */
  const buttons = []
  /** @param {number} index @param {boolean} focus */
  const select = (index, focus) => {
    buttons.forEach((b, i) => {
      const on = i === index
      b.setAttribute('aria-selected', String(on))
      b.tabIndex = on ? 0 : -1
      const panel = /** @type {HTMLElement} */ (panels.children[i])
      panel.hidden = !on
      // A panel is built the first time it is shown: the source is fetched only when asked for.
      if (on && panel.childElementCount === 0) panel.append(tabs[i]?.[2]() ?? '')
    })
    if (focus) buttons[index]?.focus()
  }
  tabs.forEach(([name, label], i) => {
    const button = el(
      'button',
      {
        type: 'button',
        role: 'tab',
        id: `tab-${name}`,
        'aria-controls': `panel-${name}`,
        class: 'tab',
      },
      label,
    )
    button.addEventListener('click', () => select(i, false))
    buttons.push(button)
    tablist.append(button)
    panels.append(
      el('div', {
        role: 'tabpanel',
        id: `panel-${name}`,
        'aria-labelledby': `tab-${name}`,
        class: `panel panel-${name}`,
        tabindex: '0',
      }),
    )
  })
  // WAI-ARIA tabs: arrow keys move between tabs and show them; Home and End jump to the ends.
  tablist.addEventListener('keydown', (e) => {
    const at = buttons.indexOf(/** @type {HTMLButtonElement} */ (document.activeElement))
    if (at < 0) return
    const to = { ArrowRight: at + 1, ArrowLeft: at - 1, Home: 0, End: buttons.length - 1 }[e.key]
    if (to === undefined) return
    e.preventDefault()
    select((to + buttons.length) % buttons.length, true)
  })

  const download = el('a', { class: 'button', href: rawUrl(m.id), download: `${m.id}.eml` }, [
    icon('i-download'),
    el('span', {}, 'Download .eml'),
  ])
  const remove = el('button', { type: 'button', class: 'button danger-quiet', id: 'delete-one' }, [
    icon('i-trash'),
    el('span', {}, 'Delete'),
  ])
  remove.addEventListener('click', () => actions.onDelete(m.id))
  const back = el(
    'button',
    { type: 'button', class: 'button back', 'aria-label': 'Back to the list' },
    [icon('i-back'), el('span', {}, 'Back')],
  )
  back.addEventListener('click', () => actions.onBack())

  const meta = el('dl', { class: 'meta' })
  /** @param {string} term @param {string} value */
  const row = (term, value) => value && meta.append(el('dt', {}, term), el('dd', {}, value))
  row('From', mailbox(m.from))
  row('To', m.to.map(mailbox).join(', '))
  row('Cc', m.cc.map(mailbox).join(', '))
  const hidden = m.envelope.to.filter(
    (r) => ![...m.to, ...m.cc].some((a) => a.address.toLowerCase() === r.toLowerCase()),
  )
  row('Bcc', hidden.join(', '))
  row('Date', m.date ? longTime(m.date) : '')
  row('Received', longTime(m.receivedAt))
  row('Size', formatBytes(m.size))

  const article = el('article', { class: 'message', 'aria-labelledby': 'subject' }, [
    el('header', { class: 'message-head' }, [
      el('div', { class: 'message-top' }, [
        back,
        el('h2', { class: 'subject', id: 'subject' }, m.subject || '(no subject)'),
        el('div', { class: 'actions' }, [download, remove]),
      ]),
      meta,
    ]),
    tablist,
    panels,
  ])
  pane.replaceChildren(article)
  select(0, false)
}

/**
 * The HTML in a sandboxed frame without scripts; its Content-Security-Policy (sent with it)
 * blocks remote content until the reader asks for it.
 * @param {InboxMessage} m
 * @param {string} html
 */
function htmlPanel(m, html) {
  const frame = el('iframe', {
    class: 'html-frame',
    title: `HTML body of ${m.subject || 'the message'}`,
    sandbox: 'allow-popups allow-popups-to-escape-sandbox',
    referrerpolicy: 'no-referrer',
    src: htmlUrl(m.id, false),
  })
  if (!hasRemoteContent(html)) return el('div', { class: 'html' }, [frame])
  const allow = el(
    'button',
    { type: 'button', class: 'button small', id: 'allow-remote' },
    'Load remote images',
  )
  const notice = el('div', { class: 'notice', role: 'note' }, [
    icon('i-image'),
    el('span', {}, 'Remote images are blocked, so the sender cannot tell you opened this.'),
    allow,
  ])
  allow.addEventListener('click', () => {
    frame.src = htmlUrl(m.id, true)
    notice.replaceChildren(icon('i-image'), el('span', {}, 'Remote images loaded.'))
  })
  return el('div', { class: 'html' }, [notice, frame])
}

/** @param {InboxMessage} m */
function textPanel(m) {
  if (m.text === undefined)
    return el('p', { class: 'muted' }, 'This message has no plain-text body.')
  return el('pre', { class: 'text' }, m.text)
}

/** @param {InboxMessage} m */
function headersPanel(m) {
  const body = el('tbody')
  /** @param {string} name @param {string} value @param {string} [cls] */
  const add = (name, value, cls = '') =>
    body.append(el('tr', { class: cls }, [el('th', { scope: 'row' }, name), el('td', {}, value)]))
  add('Envelope from', m.envelope.from || '<>', 'envelope')
  add('Envelope to', m.envelope.to.join(', '), 'envelope')
  for (const h of m.headers) add(h.name, h.value)
  return el('table', { class: 'headers' }, [
    el('caption', { class: 'visually-hidden' }, 'Envelope and header fields'),
    body,
  ])
}

/** @param {InboxMessage} m */
function rawPanel(m) {
  const pre = el('pre', { class: 'raw', 'aria-busy': 'true' }, 'Loading…')
  rawSource(m.id).then(
    (text) => {
      pre.textContent = text ?? 'This message is no longer in the inbox.'
      pre.removeAttribute('aria-busy')
    },
    (err) => {
      pre.textContent = `Could not load the source: ${err.message}`
    },
  )
  return pre
}

/** @param {InboxMessage} m */
function attachmentsPanel(m) {
  if (m.attachments.length === 0) return el('p', { class: 'muted' }, 'No attachments.')
  return el(
    'ul',
    { class: 'attachments' },
    m.attachments.map((a, i) => {
      const url = attachmentUrl(m.id, i)
      const name = a.filename ?? `attachment-${i}`
      const preview = a.contentType.startsWith('image/')
        ? el('img', { class: 'thumb', src: url, alt: '', loading: 'lazy' })
        : el('span', { class: 'thumb' }, [icon('i-file')])
      const details = [a.contentType, formatBytes(a.size), a.cid ? `inline, cid:${a.cid}` : '']
        .filter(Boolean)
        .join(' · ')
      return el('li', { class: 'attachment' }, [
        preview,
        el('div', { class: 'attachment-text' }, [
          el('a', { href: url, download: name, class: 'attachment-name' }, name),
          el('span', { class: 'muted' }, details),
        ]),
        el(
          'a',
          { href: url, download: name, class: 'button small', 'aria-label': `Download ${name}` },
          [icon('i-download')],
        ),
      ])
    }),
  )
}
