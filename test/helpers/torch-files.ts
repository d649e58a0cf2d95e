/**
 * torch.save files built byte by byte for the checkpoint reader's tests and fuzzing: stored zip
 * archives and protocol-2 pickles of state dicts, with nothing from torch itself.
 */

/** A zip of stored entries, as torch.save lays them out (without its alignment padding). */
export function storedZip(entries: Array<[string, Buffer]>, method = 0): Buffer {
  const locals: Buffer[] = [];
  const centrals: Buffer[] = [];
  let offset = 0;
  for (const [name, data] of entries) {
    const nameBytes = Buffer.from(name, 'utf8');
    const local = Buffer.alloc(30);
    local.writeUInt32LE(0x04034b50, 0);
    local.writeUInt16LE(method, 8);
    local.writeUInt32LE(data.length, 18);
    local.writeUInt32LE(data.length, 22);
    local.writeUInt16LE(nameBytes.length, 26);
    const central = Buffer.alloc(46);
    central.writeUInt32LE(0x02014b50, 0);
    central.writeUInt16LE(method, 10);
    central.writeUInt32LE(data.length, 20);
    central.writeUInt32LE(data.length, 24);
    central.writeUInt16LE(nameBytes.length, 28);
    central.writeUInt32LE(offset, 42);
    locals.push(local, nameBytes, data);
    centrals.push(central, nameBytes);
    offset += 30 + nameBytes.length + data.length;
  }
  const directory = Buffer.concat(centrals);
  const end = Buffer.alloc(22);
  end.writeUInt32LE(0x06054b50, 0);
  end.writeUInt16LE(entries.length, 8);
  end.writeUInt16LE(entries.length, 10);
  end.writeUInt32LE(directory.length, 12);
  end.writeUInt32LE(offset, 16);
  return Buffer.concat([...locals, directory, end]);
}

export const op = (code: string): Buffer => Buffer.from(code, 'latin1');
export const unicode = (text: string): Buffer => {
  const bytes = Buffer.from(text, 'utf8');
  const length = Buffer.alloc(4);
  length.writeUInt32LE(bytes.length, 0);
  return Buffer.concat([op('X'), length, bytes]);
};
export const int1 = (n: number): Buffer => Buffer.from([0x4b, n]);
export const global = (module: string, name: string): Buffer => op(`c${module}\n${name}\n`);

/** data.pkl of {name: tensor} over storage "0", as torch.save writes it (protocol 2). */
export function statePickle(opts: { storageType?: string; numel: number; offset: number; size: number[]; stride: number[]; name?: string }): Buffer {
  const tuple = (values: number[]): Buffer => Buffer.concat([op('('), ...values.map(int1), op('t')]);
  return Buffer.concat([
    op('\x80\x02'), global('collections', 'OrderedDict'), op(')R'), op('('), unicode(opts.name ?? 'w'),
    global('torch._utils', '_rebuild_tensor_v2'), op('('),
    op('('), unicode('storage'), global('torch', opts.storageType ?? 'FloatStorage'), unicode('0'), unicode('cpu'), int1(opts.numel), op('t'), op('Q'),
    int1(opts.offset), tuple(opts.size), tuple(opts.stride), op('\x89'), global('collections', 'OrderedDict'), op(')R'), op('t'), op('R'),
    op('u'), op('.'),
  ]);
}

export function checkpoint(pickle: Buffer, storage: Buffer, method = 0): Buffer {
  return storedZip([['archive/data.pkl', pickle], ['archive/byteorder', Buffer.from('little')], ['archive/data/0', storage]], method);
}

export function floats(values: number[]): Buffer {
  return Buffer.from(new Float32Array(values).buffer);
}
