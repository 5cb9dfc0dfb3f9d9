/**
 * Storage on a local directory. A key maps to a file under the root ("jobs/<id>/source" →
 * <root>/jobs/<id>/source). Writes stream into a temporary file in the target's folder and are
 * renamed into place once complete, so a reader never sees a half-written object and a failed write
 * leaves nothing behind.
 */
import { randomBytes } from 'node:crypto';
import { createWriteStream, type Stats } from 'node:fs';
import { copyFile, lstat, mkdir, open, readdir, rename, rm, stat, unlink } from 'node:fs/promises';
import path from 'node:path';
import { Readable, Transform } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { badInput, notFound } from '../errors.ts';
import type { ByteRange, Storage } from './index.ts';
import { keySegments, prefixSegments } from './keys.ts';

/** Temporary files carry a "~", which no key may contain, so no key can ever name one. */
const TEMP_MARKER = '.tmp~';

const errorCode = (error: unknown): string | undefined => (error as NodeJS.ErrnoException | null)?.code;
/** ENOTDIR: a path segment is a file, so nothing can be below it. */
const isMissing = (error: unknown) => errorCode(error) === 'ENOENT' || errorCode(error) === 'ENOTDIR';

export class LocalStorage implements Storage {
  /** The absolute directory everything lives under. */
  readonly root: string;

  constructor(dir: string) {
    this.root = path.resolve(dir);
  }

  /** The file a key maps to; throws BAD_USER_INPUT for an invalid key. */
  pathOf(key: string): string {
    return this.inside(path.join(this.root, ...keySegments(key)));
  }

  async put(key: string, body: Readable | Buffer, _options?: { contentType?: string }): Promise<number> {
    const target = this.pathOf(key);
    const folder = path.dirname(target);
    await mkdir(folder, { recursive: true });
    const temp = path.join(folder, `${TEMP_MARKER}${randomBytes(12).toString('hex')}`);
    let bytes = 0;
    const counter = new Transform({
      transform(chunk: Buffer, _encoding, callback) {
        bytes += chunk.length;
        callback(null, chunk);
      },
    });
    const source = Buffer.isBuffer(body) ? Readable.from([body]) : body;
    try {
      // flush: fsync before close, so the rename never publishes data still only in the page cache.
      await pipeline(source, counter, createWriteStream(temp, { flags: 'wx', mode: 0o600, flush: true }));
      await rename(temp, target);
    } catch (error) {
      await rm(temp, { force: true }).catch(() => {});
      throw error;
    }
    return bytes;
  }

  async get(key: string, range?: ByteRange): Promise<Readable> {
    const file = this.pathOf(key);
    let handle;
    try {
      handle = await open(file, 'r');
    } catch (error) {
      if (isMissing(error)) throw notFound('Stored object');
      throw error;
    }
    try {
      if (!(await handle.stat()).isFile()) throw notFound('Stored object');
    } catch (error) {
      await handle.close().catch(() => {});
      throw error;
    }
    return handle.createReadStream({ autoClose: true, ...(range ? { start: range.start, end: range.end } : {}) });
  }

  async size(key: string): Promise<number> {
    const info = await this.statFile(this.pathOf(key));
    if (!info) throw notFound('Stored object');
    return info.size;
  }

  async download(key: string, toPath: string): Promise<void> {
    const file = this.pathOf(key);
    if (!(await this.statFile(file))) throw notFound('Stored object');
    await mkdir(path.dirname(path.resolve(toPath)), { recursive: true });
    try {
      await copyFile(file, toPath);
    } catch (error) {
      await rm(toPath, { force: true }).catch(() => {});
      if (isMissing(error) && !(await this.statFile(file))) throw notFound('Stored object');
      throw error;
    }
  }

  async localFile(key: string): Promise<string> {
    const file = this.pathOf(key);
    if (!(await this.statFile(file))) throw notFound('Stored object');
    return file;
  }

  async exists(key: string): Promise<boolean> {
    return (await this.statFile(this.pathOf(key))) !== undefined;
  }

  async delete(key: string): Promise<void> {
    try {
      await unlink(this.pathOf(key));
    } catch (error) {
      // EISDIR: only deeper keys share this name as a folder, so there is no object to delete.
      if (isMissing(error) || errorCode(error) === 'EISDIR') return;
      throw error;
    }
  }

  async deletePrefix(prefix: string): Promise<void> {
    const segments = prefixSegments(prefix);
    if (prefix.endsWith('/')) {
      // "jobs/<id>/": the whole folder (a file of that name is a different key and stays).
      const folder = this.inside(path.join(this.root, ...segments));
      const info = await lstat(folder).catch((error: unknown) => {
        if (isMissing(error)) return undefined;
        throw error;
      });
      if (info?.isDirectory()) await rm(folder, { recursive: true, force: true });
      return;
    }
    // "jobs/abc": as on S3, every entry of "jobs/" whose name starts with "abc", files and folders.
    const folder = segments.length > 1 ? this.inside(path.join(this.root, ...segments.slice(0, -1))) : this.root;
    const start = segments[segments.length - 1];
    let names: string[];
    try {
      names = await readdir(folder);
    } catch (error) {
      if (isMissing(error)) return;
      throw error;
    }
    await Promise.all(
      names
        .filter((name) => name.startsWith(start))
        .map((name) => rm(path.join(folder, name), { recursive: true, force: true })),
    );
  }

  private async statFile(file: string): Promise<Stats | undefined> {
    try {
      const info = await stat(file);
      return info.isFile() ? info : undefined;
    } catch (error) {
      if (isMissing(error)) return undefined;
      throw error;
    }
  }

  /** Defence in depth: the key checks already keep every path under the root. */
  private inside(file: string): string {
    const base = this.root.endsWith(path.sep) ? this.root : this.root + path.sep;
    if (!file.startsWith(base)) throw badInput('Invalid storage key.');
    return file;
  }
}
