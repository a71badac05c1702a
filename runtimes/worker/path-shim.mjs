// Stand-in for Node's `path` inside the Worker bundle. The only Node module the stack reaches is
// `require('path').extname` in mime-types (content type lookup by filename); aliasing it to this
// shim keeps the Worker free of `nodejs_compat`, which is what users of plain Workers get.
// Same contract as Node's posix extname: from the last '.' of the last segment, unless that '.'
// starts the segment ('.bashrc') or the segment is '..'.
export function extname(path) {
  const trimmed = String(path).replace(/\/+$/, '')
  const base = trimmed.slice(trimmed.lastIndexOf('/') + 1)
  const dot = base.lastIndexOf('.')
  return dot <= 0 || base === '..' ? '' : base.slice(dot)
}

export default { extname }
