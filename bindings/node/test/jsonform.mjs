// Converts binding results (camelCase, bigint, Buffer) to the JSON forms of SPEC.md
// (snake_case, decimal strings, lowercase hex), so results compare with the vectors.

const snake = (key) => key.replace(/[A-Z]/g, (c) => `_${c.toLowerCase()}`);

export function toJsonForm(value) {
  if (value === null) return null;
  if (typeof value === 'bigint') return value.toString();
  if (value instanceof Uint8Array) return Buffer.from(value).toString('hex');
  if (Array.isArray(value)) return value.map(toJsonForm);
  if (typeof value === 'object') {
    const out = {};
    for (const [key, item] of Object.entries(value)) {
      if (item !== undefined) out[snake(key)] = toJsonForm(item);
    }
    return out;
  }
  return value;
}
