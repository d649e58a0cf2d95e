/**
 * The colour PIL gives a GIF's transparent pixels. PIL opens a GIF's first frame as a palette
 * image, and convert('RGB') maps the transparent index to its palette colour; libvips renders
 * those pixels with alpha 0 instead. This reads, from the file's own bytes, the first frame's
 * transparent index (its Graphic Control Extension) and that entry of its colour table (the
 * frame's local one, else the global one).
 * Internal: not exported from the package entry point.
 */

/** Skips a run of GIF data sub-blocks starting at `at`; the offset after the terminator. */
function skipSubBlocks(bytes: Uint8Array, at: number): number {
  while (at < bytes.length && bytes[at] !== 0) at += bytes[at]! + 1;
  return at + 1;
}

/** The first frame's transparent colour [r, g, b], or undefined when it has none or the file is not a readable GIF. */
export function gifTransparentColour(bytes: Uint8Array): [number, number, number] | undefined {
  const signature = String.fromCharCode(...bytes.subarray(0, 6));
  if ((signature !== 'GIF87a' && signature !== 'GIF89a') || bytes.length < 13) return undefined;
  const screenFlags = bytes[10]!;
  let globalTable: number | undefined;
  let at = 13;
  if (screenFlags & 0x80) {
    globalTable = at;
    at += 3 * (1 << ((screenFlags & 7) + 1));
  }
  let transparent: number | undefined;
  while (at < bytes.length) {
    const block = bytes[at]!;
    if (block === 0x21) {
      const label = bytes[at + 1];
      if (label === 0xf9 && bytes[at + 2] === 4 && at + 7 < bytes.length) {
        transparent = bytes[at + 3]! & 1 ? bytes[at + 6]! : undefined;
      }
      at = skipSubBlocks(bytes, at + 2);
    } else if (block === 0x2c) {
      if (transparent === undefined || at + 10 > bytes.length) return undefined;
      const imageFlags = bytes[at + 9]!;
      const table = imageFlags & 0x80 ? at + 10 : globalTable;
      if (table === undefined) return undefined;
      const entry = table + 3 * transparent;
      if (entry + 3 > bytes.length) return undefined;
      return [bytes[entry]!, bytes[entry + 1]!, bytes[entry + 2]!];
    } else {
      return undefined;
    }
  }
  return undefined;
}

/** Gives RGBA pixels whose alpha is 0 the transparent colour, as PIL's palette conversion does. */
export function paintTransparent(rgba: Uint8Array, colour: [number, number, number]): void {
  for (let i = 0; i < rgba.length; i += 4) {
    if (rgba[i + 3] === 0) {
      rgba[i] = colour[0];
      rgba[i + 1] = colour[1];
      rgba[i + 2] = colour[2];
    }
  }
}
