/*
 * How the dashboard shows payloads: UTF-8 text, JSON pretty-printed, anything else as a hex dump.
 */

const decoder = new TextDecoder('utf-8', { fatal: true });
const HEX_PREVIEW_BYTES = 24;
const HEX_DUMP_BYTES = 4096;

/**
 * @param {Uint8Array} bytes a payload
 * @returns {string|null} the payload as text, or null when it is not printable UTF-8
 */
export function asText(bytes) {
  let text;
  try {
    text = decoder.decode(bytes);
  } catch {
    return null;
  }
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if ((c < 0x20 && c !== 0x09 && c !== 0x0a && c !== 0x0d) || c === 0x7f) {
      return null;
    }
  }
  return text;
}

/**
 * @param {Uint8Array} bytes a payload
 * @returns {{kind: string, text: string}} kind is json, text, binary or empty; text is what to show
 */
export function formatPayload(bytes) {
  if (bytes.length === 0) {
    return { kind: 'empty', text: '(empty payload)' };
  }
  const text = asText(bytes);
  if (text === null) {
    return { kind: 'binary', text: hexDump(bytes) };
  }
  const trimmed = text.trim();
  if (trimmed.startsWith('{') || trimmed.startsWith('[')) {
    try {
      return { kind: 'json', text: JSON.stringify(JSON.parse(trimmed), null, 2) };
    } catch {
      return { kind: 'text', text };
    }
  }
  return { kind: 'text', text };
}

/**
 * @param {Uint8Array} bytes a payload
 * @param {number} max longest preview in characters
 * @returns {string} a one-line preview: text with line breaks folded, or hex for binary payloads
 */
export function previewPayload(bytes, max) {
  if (bytes.length === 0) {
    return '';
  }
  const cut = bytes.length > max * 4;
  const head = cut ? bytes.subarray(0, max * 4) : bytes;
  const text = asText(head) ?? (cut ? asTextPrefix(head) : null);
  if (text === null) {
    return hexBytes(bytes.subarray(0, HEX_PREVIEW_BYTES))
        + (bytes.length > HEX_PREVIEW_BYTES ? ' …' : '');
  }
  const line = text.replace(/\s+/g, ' ');
  return line.length > max ? `${line.slice(0, max)}…` : line;
}

// A cut at max * 4 bytes may split a UTF-8 sequence: retry without the last incomplete one.
function asTextPrefix(bytes) {
  for (let cut = 1; cut <= 3; cut++) {
    const text = asText(bytes.subarray(0, bytes.length - cut));
    if (text !== null) {
      return text;
    }
  }
  return null;
}

function hexBytes(bytes) {
  return Array.from(bytes, (b) => b.toString(16).padStart(2, '0')).join(' ');
}

/**
 * @param {Uint8Array} bytes a payload
 * @returns {string} offset, 16 bytes in hex and their printable ASCII per line
 */
export function hexDump(bytes) {
  const lines = [];
  const shown = bytes.subarray(0, HEX_DUMP_BYTES);
  for (let offset = 0; offset < shown.length; offset += 16) {
    const row = shown.subarray(offset, offset + 16);
    const ascii = Array.from(row, (b) => (b >= 0x20 && b < 0x7f ? String.fromCharCode(b) : '.'))
        .join('');
    lines.push(`${offset.toString(16).padStart(6, '0')}  ${hexBytes(row).padEnd(47)}  ${ascii}`);
  }
  if (bytes.length > HEX_DUMP_BYTES) {
    lines.push(`… ${bytes.length - HEX_DUMP_BYTES} more bytes`);
  }
  return lines.join('\n');
}

/**
 * @param {number} n a byte count
 * @returns {string} the size in B, KiB, MiB or GiB
 */
export function formatBytes(n) {
  const units = ['B', 'KiB', 'MiB', 'GiB', 'TiB'];
  let value = n;
  let unit = 0;
  while (value >= 1024 && unit < units.length - 1) {
    value /= 1024;
    unit++;
  }
  return unit === 0 ? `${Math.round(value)} ${units[0]}` : `${value.toFixed(value < 10 ? 1 : 0)} ${units[unit]}`;
}
