/**
 * CRC-32 as zlib, PNG and GitHub's token checksums compute it (IEEE 802.3, reflected polynomial
 * 0xEDB88320, initial value and final XOR 0xFFFFFFFF). It detects typos, not tampering: anyone can
 * recompute it, so it is never a security control.
 */
const TABLE = buildTable();

function buildTable(): Uint32Array {
  const table = new Uint32Array(256);
  for (let byte = 0; byte < 256; byte++) {
    let value = byte;
    for (let bit = 0; bit < 8; bit++) value = value & 1 ? 0xedb88320 ^ (value >>> 1) : value >>> 1;
    table[byte] = value;
  }
  return table;
}

/**
 * The CRC-32 of `bytes` as an unsigned 32-bit integer.
 * @example crc32(new TextEncoder().encode("123456789")) === 0xcbf43926
 */
export function crc32(bytes: Uint8Array): number {
  let crc = 0xffffffff;
  for (const byte of bytes) crc = TABLE[(crc ^ byte) & 0xff]! ^ (crc >>> 8);
  return (crc ^ 0xffffffff) >>> 0;
}
