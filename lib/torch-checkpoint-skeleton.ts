/**
 * A torch.save zip read for its structure only: a buffer the file's size in which the end
 * records, the central directory, every local header and every record but the storages
 * (<stem>/data/<key>) hold the file's bytes, and the storages stay unread zeros. Locating the
 * tensors (torch-checkpoint.ts) reads nothing else, and the native engines read the weights from
 * the file themselves; Buffer.alloc's zeroed pages are not committed until written, so the
 * JavaScript side holds kilobytes, not a second copy of the weights. Nothing here is validated:
 * readStoredZip does that on the result, exactly as on the whole file. A file that is not a zip
 * (the pre-1.6 stream format) is read whole.
 * Internal: not exported from the package entry point.
 */
import { open } from 'node:fs/promises';

const END_OF_CENTRAL_DIRECTORY = 0x06054b50;
const END_RECORD_SIZE = 22;
const MAX_COMMENT = 0xffff;
const CENTRAL_ENTRY_SIZE = 46;
const LOCAL_HEADER_SIZE = 30;
/** A record of raw storage bytes, which only the engines read. */
const STORAGE_RECORD = /^[^/]+\/data\/[^/]+$/;

export async function readCheckpointSkeleton(path: string): Promise<Buffer> {
  const file = await open(path, 'r');
  try {
    const { size } = await file.stat();
    const bytes = Buffer.alloc(size);
    // Reads [at, at + length) clamped to the file into `bytes`; a hostile offset reads nothing.
    const fill = async (at: number, length: number): Promise<void> => {
      const begin = Math.max(0, Math.min(at, size));
      const end = Math.max(begin, Math.min(at + length, size));
      if (end > begin) await file.read(bytes, begin, end - begin, begin);
    };
    await fill(0, 3);
    if (bytes[0] === 0x80) {
      // A pickle stream: the pre-1.6 format keeps its storages inline, after the pickles.
      await fill(0, size);
      return bytes;
    }
    const tail = END_RECORD_SIZE + MAX_COMMENT;
    await fill(size - tail, tail);
    let end = -1;
    for (let at = size - END_RECORD_SIZE; at >= Math.max(0, size - tail); at -= 1) {
      if (bytes.readUInt32LE(at) === END_OF_CENTRAL_DIRECTORY) {
        end = at;
        break;
      }
    }
    if (end < 0) return bytes;
    const count = bytes.readUInt16LE(end + 10);
    const directoryOffset = bytes.readUInt32LE(end + 16);
    await fill(directoryOffset, bytes.readUInt32LE(end + 12));
    let at = directoryOffset;
    for (let n = 0; n < count && at + CENTRAL_ENTRY_SIZE <= size; n += 1) {
      const recordSize = bytes.readUInt32LE(at + 24);
      const nameLength = bytes.readUInt16LE(at + 28);
      const localOffset = bytes.readUInt32LE(at + 42);
      const name = bytes.toString('utf8', at + CENTRAL_ENTRY_SIZE, Math.min(size, at + CENTRAL_ENTRY_SIZE + nameLength));
      at += CENTRAL_ENTRY_SIZE + nameLength + bytes.readUInt16LE(at + 30) + bytes.readUInt16LE(at + 32);
      await fill(localOffset, LOCAL_HEADER_SIZE);
      if (localOffset + LOCAL_HEADER_SIZE > size) continue;
      // The local header's own name and extra field (torch pads the extra field to align data).
      const variable = bytes.readUInt16LE(localOffset + 26) + bytes.readUInt16LE(localOffset + 28);
      await fill(localOffset + LOCAL_HEADER_SIZE, variable);
      if (!STORAGE_RECORD.test(name)) await fill(localOffset + LOCAL_HEADER_SIZE + variable, recordSize);
    }
    return bytes;
  } finally {
    await file.close();
  }
}
