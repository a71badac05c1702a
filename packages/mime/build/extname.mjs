// Node's `path.extname` (POSIX) for mime-types inside the Workers and browser build, where there
// is no `path` module: the extension from the last '.' of the last path segment, unless that
// '.' starts the segment ('.bashrc') or the segment is '..'.
export function extname(path) {
  const trimmed = String(path).replace(/\/+$/, '')
  const base = trimmed.slice(trimmed.lastIndexOf('/') + 1)
  const dot = base.lastIndexOf('.')
  return dot <= 0 || base === '..' ? '' : base.slice(dot)
}
