// Loads one of our packages from its built dist. While a package is still being written it may
// export nothing usable yet: then the bench reports why instead of failing the whole run.
export async function loadOurs(specifier, names) {
  let mod
  try {
    mod = await import(specifier)
  } catch (error) {
    return { mod: null, reason: `${specifier} is not importable (${firstLine(error)})` }
  }
  const missing = names.filter((n) => mod[n] === undefined)
  if (missing.length > 0) {
    return { mod: null, reason: `${specifier} does not export ${missing.join(', ')} yet` }
  }
  return { mod, reason: '' }
}

const firstLine = (error) => String(error?.message ?? error).split('\n')[0]
