/**
 * The entries of a zip archive whose members are stored uncompressed, as torch.save writes
 * them: the central directory is read from the end-of-central-directory record, and every
 * entry's data is a view into the file's bytes (no copy). Compressed, encrypted, zip64 or
 * out-of-bounds entries are refused with a reason, and so are names that could point outside
 * the archive's own folder if anything ever extracted them (`..` segments, absolute paths,
 * drive letters, backslashes, NUL) and names given twice (zip readers disagree on which copy
 * wins, the classic way to show two readers two different files).
 * Internal: not exported from the package entry point.
 */

const END_OF_CENTRAL_DIRECTORY = 0x06054b50;
const CENTRAL_DIRECTORY_ENTRY = 0x02014b50;
const LOCAL_FILE_HEADER = 0x04034b50;
const END_RECORD_SIZE = 22;
const MAX_COMMENT = 0xffff;

/** Thrown with a reason; the caller adds the file name and the error code. */
export class ZipFormatError extends Error {}

function findEndRecord(bytes: Buffer): number {
  const lowest = Math.max(0, bytes.length - END_RECORD_SIZE - MAX_COMMENT);
  for (let at = bytes.length - END_RECORD_SIZE; at >= lowest; at -= 1) {
    if (bytes.readUInt32LE(at) === END_OF_CENTRAL_DIRECTORY) return at;
  }
  throw new ZipFormatError('not a zip archive (no end-of-central-directory record; truncated?)');
}

/** Why an entry name is refused, or undefined for a plain relative name. */
function unsafeName(name: string): string | undefined {
  if (name.length === 0) return 'an empty name';
  if (name.includes('\0')) return 'a NUL character';
  if (name.includes('\\')) return 'a backslash';
  if (name.startsWith('/')) return 'an absolute path';
  if (/^[A-Za-z]:/.test(name)) return 'a drive letter';
  if (name.split('/').includes('..')) return "a '..' segment";
  return undefined;
}

/** Entry name → its stored bytes, in directory order. */
export function readStoredZip(bytes: Buffer): Map<string, Buffer> {
  if (bytes.length < END_RECORD_SIZE) throw new ZipFormatError('too short to be a zip archive');
  const end = findEndRecord(bytes);
  const count = bytes.readUInt16LE(end + 10);
  const directorySize = bytes.readUInt32LE(end + 12);
  const directoryOffset = bytes.readUInt32LE(end + 16);
  if (count === 0xffff || directorySize === 0xffffffff || directoryOffset === 0xffffffff) {
    throw new ZipFormatError('zip64 archives are not supported');
  }
  if (directoryOffset + directorySize > end) throw new ZipFormatError('the central directory lies outside the archive');

  const entries = new Map<string, Buffer>();
  let at = directoryOffset;
  for (let n = 0; n < count; n += 1) {
    if (at + 46 > end || bytes.readUInt32LE(at) !== CENTRAL_DIRECTORY_ENTRY) {
      throw new ZipFormatError(`central directory entry ${n} is corrupt`);
    }
    const flags = bytes.readUInt16LE(at + 8);
    const method = bytes.readUInt16LE(at + 10);
    const compressedSize = bytes.readUInt32LE(at + 20);
    const size = bytes.readUInt32LE(at + 24);
    const nameLength = bytes.readUInt16LE(at + 28);
    const extraLength = bytes.readUInt16LE(at + 30);
    const commentLength = bytes.readUInt16LE(at + 32);
    const localOffset = bytes.readUInt32LE(at + 42);
    if (at + 46 + nameLength > end) throw new ZipFormatError(`central directory entry ${n} is corrupt`);
    const name = bytes.toString('utf8', at + 46, at + 46 + nameLength);
    at += 46 + nameLength + extraLength + commentLength;
    const unsafe = unsafeName(name);
    if (unsafe !== undefined) throw new ZipFormatError(`entry ${JSON.stringify(name)} is refused: its name has ${unsafe}`);
    if (entries.has(name)) throw new ZipFormatError(`entry ${JSON.stringify(name)} appears twice`);

    if (flags & 0x1) throw new ZipFormatError(`entry ${name} is encrypted`);
    if (method !== 0 || compressedSize !== size) throw new ZipFormatError(`entry ${name} is compressed (method ${method}); only stored entries are read`);
    if (size === 0xffffffff || localOffset === 0xffffffff) throw new ZipFormatError('zip64 archives are not supported');
    if (localOffset + 30 > bytes.length || bytes.readUInt32LE(localOffset) !== LOCAL_FILE_HEADER) {
      throw new ZipFormatError(`the local header of entry ${name} is missing (truncated?)`);
    }
    // The local header's own name and extra lengths: torch pads the extra field to align data.
    const dataStart = localOffset + 30 + bytes.readUInt16LE(localOffset + 26) + bytes.readUInt16LE(localOffset + 28);
    if (dataStart + size > bytes.length) throw new ZipFormatError(`entry ${name} lies outside the archive (truncated?)`);
    entries.set(name, bytes.subarray(dataStart, dataStart + size));
  }
  return entries;
}
