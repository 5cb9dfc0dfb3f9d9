// A streaming writer of POSIX ustar archives: files are copied in one at a time, so an archive of
// any size is written with constant memory. Enough for our own entry names (ASCII, < 100 bytes).
import { createReadStream, type WriteStream } from 'node:fs';
import { once } from 'node:events';

const BLOCK = 512;
/** ustar's 11 octal digits of size: 8 GiB - 1 byte per file. */
const MAX_TAR_ENTRY_BYTES = 8 * 1024 ** 3 - 1;

function octal(value: number, width: number): string {
  return value.toString(8).padStart(width - 1, '0') + '\0';
}

function header(name: string, size: number, mtime: Date): Buffer {
  if (!/^[\x20-\x7e]{1,99}$/.test(name)) throw new Error(`tar entry name not supported: ${name}`);
  if (size > MAX_TAR_ENTRY_BYTES) throw new Error(`tar entry too large: ${name} (${size} bytes)`);
  const block = Buffer.alloc(BLOCK);
  block.write(name, 0, 'ascii');
  block.write(octal(0o644, 8), 100, 'ascii'); // mode
  block.write(octal(0, 8), 108, 'ascii'); // uid
  block.write(octal(0, 8), 116, 'ascii'); // gid
  block.write(octal(size, 12), 124, 'ascii');
  block.write(octal(Math.floor(mtime.getTime() / 1000), 12), 136, 'ascii');
  block.fill(' ', 148, 156); // checksum is computed with its own field as spaces
  block.write('0', 156, 'ascii'); // regular file
  block.write('ustar\0', 257, 'ascii');
  block.write('00', 263, 'ascii');
  let sum = 0;
  for (const byte of block) sum += byte;
  block.write(`${sum.toString(8).padStart(6, '0')}\0 `, 148, 'ascii');
  return block;
}

export class TarWriter {
  #bytes = 0;

  constructor(private readonly out: WriteStream) {}

  /** Bytes written so far. */
  get bytes(): number {
    return this.#bytes;
  }

  async #write(chunk: Buffer): Promise<void> {
    this.#bytes += chunk.length;
    if (!this.out.write(chunk)) await once(this.out, 'drain');
  }

  async #pad(size: number): Promise<void> {
    const rest = size % BLOCK;
    if (rest) await this.#write(Buffer.alloc(BLOCK - rest));
  }

  /** Copies a local file of `size` bytes in as `name`. */
  async addFile(name: string, path: string, size: number, mtime = new Date()): Promise<void> {
    await this.#write(header(name, size, mtime));
    let copied = 0;
    for await (const chunk of createReadStream(path)) {
      copied += (chunk as Buffer).length;
      if (copied > size) throw new Error(`${name} grew while being archived`);
      await this.#write(chunk as Buffer);
    }
    if (copied !== size) throw new Error(`${name} has ${copied} bytes, expected ${size}`);
    await this.#pad(size);
  }

  async addBuffer(name: string, body: Buffer, mtime = new Date()): Promise<void> {
    await this.#write(header(name, body.length, mtime));
    await this.#write(body);
    await this.#pad(body.length);
  }

  /** Writes the end-of-archive marker and closes the stream. */
  async finish(): Promise<void> {
    await this.#write(Buffer.alloc(BLOCK * 2));
    this.out.end();
    await once(this.out, 'finish');
  }
}
