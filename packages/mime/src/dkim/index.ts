export const placeholder = 'dkim'
