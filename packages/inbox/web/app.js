// @ts-check
/** The inbox page: the list kept live by the event stream, search, and the message view. */
import { deleteAll, deleteMessage, followEvents, inboxInfo, listMessages } from './api.js'
import { byId } from './dom.js'
import { searchText, shortName } from './format.js'
import { flashRow, renderList } from './list.js'
import { renderViewer } from './viewer.js'

/** @typedef {import('../src/types.js').InboxMessage} InboxMessage */

const list = byId('list', HTMLElement)
const search = byId('search', HTMLInputElement)
const viewer = byId('viewer', HTMLElement)
const panes = byId('panes', HTMLElement)
const status = byId('status', HTMLElement)
const count = byId('count', HTMLElement)
const announce = byId('announce', HTMLElement)
const deleteAllButton = byId('delete-all', HTMLButtonElement)
const viewEmpty = byId('view-empty', HTMLElement)

const state = {
  /** @type {InboxMessage[]} newest first */
  messages: [],
  /** @type {string | undefined} */
  selected: undefined,
  query: '',
}

/**
 * Events that arrive while the list is being read again are kept here and replayed on top of
 * it, so none is lost to the reply that was computed before it.
 * @type {(() => void)[] | undefined}
 */
let replay

function visible() {
  const q = state.query.trim().toLowerCase()
  return q ? state.messages.filter((m) => searchText(m).includes(q)) : state.messages
}

function render() {
  const shown = visible()
  renderList(list, shown, state.selected)
  const total = state.messages.length
  count.textContent = state.query
    ? `${shown.length} of ${total}`
    : `${total} message${total === 1 ? '' : 's'}`
  byId('list-empty', HTMLElement).hidden = shown.length > 0
  byId('list-empty-title', HTMLElement).textContent =
    total === 0 ? 'No messages yet' : 'Nothing matches'
  deleteAllButton.disabled = total === 0
}

/**
 * @param {string | undefined} id
 * @param {{ focusView?: boolean }} [options]
 */
function open(id, options = {}) {
  const message = state.messages.find((m) => m.id === id)
  state.selected = message?.id
  if (message) {
    renderViewer(viewer, message, { onDelete: remove, onBack: () => showList(true) })
    panes.dataset.view = options.focusView ? 'message' : panes.dataset.view
    if (options.focusView) viewer.focus()
    history.replaceState(null, '', `#${encodeURIComponent(message.id)}`)
  } else {
    viewer.replaceChildren(viewEmpty)
    panes.dataset.view = 'list'
    history.replaceState(null, '', location.pathname)
  }
  render()
}

/** On a narrow screen, back from the message to the list. @param {boolean} focus */
function showList(focus) {
  panes.dataset.view = 'list'
  if (focus && state.selected) document.getElementById(`m-${state.selected}`)?.focus()
}

/** @param {string} id */
async function remove(id) {
  const shown = visible()
  const at = shown.findIndex((m) => m.id === id)
  const next = shown[at + 1] ?? shown[at - 1]
  const hadFocus = list.contains(document.activeElement)
  await deleteMessage(id)
  dropMessage(id)
  if (state.selected === undefined && next) {
    open(next.id)
    if (hadFocus) document.getElementById(`m-${next.id}`)?.focus()
  }
}

/** @param {string} id */
function dropMessage(id) {
  replay?.push(() => dropMessage(id))
  const before = state.messages.length
  state.messages = state.messages.filter((m) => m.id !== id)
  if (state.messages.length === before) return
  if (state.selected === id) open(undefined)
  else render()
}

/** @param {InboxMessage} message */
function addMessage(message) {
  replay?.push(() => addMessage(message))
  if (state.messages.some((m) => m.id === message.id)) return
  state.messages = [message, ...state.messages].sort((a, b) => (a.id < b.id ? 1 : -1))
  render()
  flashRow(message.id)
  announce.textContent = `New message from ${shortName(message.from)}: ${message.subject || 'no subject'}`
}

async function reload() {
  const missed = /** @type {(() => void)[]} */ ([])
  replay = missed
  try {
    state.messages = await listMessages()
  } finally {
    replay = undefined
  }
  for (const event of missed) event()
  const wanted = state.selected ?? (decodeURIComponent(location.hash.slice(1)) || undefined)
  if (wanted && state.messages.some((m) => m.id === wanted)) {
    if (wanted !== state.selected) open(wanted)
    else render()
  } else open(undefined)
}

/** @param {'live' | 'down'} state */
function setStatus(state) {
  status.dataset.state = state
  status.textContent = state === 'live' ? 'Live' : 'Reconnecting…'
}

// The list: a listbox with one focusable row. Arrows move and open, Enter or Space opens (and,
// on a narrow screen, shows the message), Delete removes.
list.addEventListener('click', (e) => {
  const row = e.target instanceof Element ? e.target.closest('[role=option]') : null
  if (row instanceof HTMLElement && row.dataset.id) open(row.dataset.id, { focusView: true })
})
list.addEventListener('keydown', (e) => {
  const row = document.activeElement
  if (!(row instanceof HTMLElement) || !row.dataset.id || row.parentElement !== list) return
  const rows = [...list.children]
  const at = rows.indexOf(row)
  /** @type {Record<string, number>} */
  const moves = {
    ArrowDown: at + 1,
    ArrowUp: at - 1,
    Home: 0,
    End: rows.length - 1,
    PageDown: at + 10,
    PageUp: at - 10,
  }
  if (e.key in moves) {
    e.preventDefault()
    const target = /** @type {HTMLElement | undefined} */ (
      rows[Math.max(0, Math.min(rows.length - 1, moves[e.key] ?? at))]
    )
    if (target?.dataset.id) {
      open(target.dataset.id)
      target.focus()
    }
  } else if (e.key === 'Enter' || e.key === ' ') {
    e.preventDefault()
    open(row.dataset.id, { focusView: true })
  } else if (e.key === 'Delete' || e.key === 'Backspace') {
    e.preventDefault()
    remove(row.dataset.id)
  }
})

search.addEventListener('input', () => {
  state.query = search.value
  render()
})
search.addEventListener('keydown', (e) => {
  if (e.key === 'Escape' && search.value) {
    search.value = ''
    state.query = ''
    render()
  } else if (e.key === 'ArrowDown') {
    e.preventDefault()
    const first = /** @type {HTMLElement | null} */ (list.querySelector('[tabindex="0"]'))
    first?.focus()
  }
})

document.addEventListener('keydown', (e) => {
  const typing = e.target instanceof HTMLInputElement || e.target instanceof HTMLTextAreaElement
  if (e.key === '/' && !typing) {
    e.preventDefault()
    search.focus()
  } else if (e.key === 'Escape' && !typing && panes.dataset.view === 'message') {
    showList(true)
  }
})

// Deleting everything takes a second click within a few seconds: no dialog, nothing undone by accident.
let armed = /** @type {ReturnType<typeof setTimeout> | undefined} */ (undefined)
const deleteAllLabel = /** @type {HTMLElement} */ (deleteAllButton.querySelector('span'))
function disarm() {
  clearTimeout(armed)
  armed = undefined
  deleteAllButton.classList.remove('armed')
  deleteAllLabel.textContent = 'Delete all'
}
deleteAllButton.addEventListener('click', async () => {
  if (armed === undefined) {
    armed = setTimeout(disarm, 4000)
    deleteAllButton.classList.add('armed')
    deleteAllLabel.textContent = `Delete ${state.messages.length}?`
    return
  }
  disarm()
  await deleteAll()
  state.messages = []
  open(undefined)
  announce.textContent = 'All messages deleted'
})
deleteAllButton.addEventListener('blur', disarm)

followEvents({
  onMessage: addMessage,
  onDelete: dropMessage,
  onOpen() {
    setStatus('live')
    // Whatever happened while the stream was down is read again.
    reload()
  },
  onDown: () => setStatus('down'),
})

inboxInfo().then((info) => {
  byId('list-empty-hint', HTMLElement).textContent =
    `Send mail to ${info.smtpUrl} and it shows up here at once.`
  document.title = `Inbox · ${info.smtpUrl.replace(/^smtp:\/\//, '')}`
})
