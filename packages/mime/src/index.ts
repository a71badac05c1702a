export const placeholder = 'mime'
