import { closeSync, existsSync, ftruncateSync, mkdirSync, openSync, readFileSync, writeSync } from 'node:fs';
import { dirname, join, normalize, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import { gunzipSync } from 'node:zlib';

/**
 * A new embedded database, already initialised, migrated and seeded: the data directory PGlite leaves after
 * `npm run db:image` (a gzipped tar). A first `npm start` unpacks it instead of running PGlite's initdb, which
 * takes most of the 10 s a first start used to take; later migrations still run on top of it at start.
 * Next to `src/` and `dist/`, so both find it one level up from `db/`.
 */
export const initialImagePath = fileURLToPath(new URL('../../db-image/initial.tar.gz', import.meta.url));

const shippedImages = new Map<string, Blob | null>();

/**
 * The image's tar, inflated into one buffer of the size its gzip trailer gives: zlib's default 16 KB pieces,
 * joined at the end, took twice the CPU and 50 MB more memory for the 39 MB tar.
 */
function readImage(image: string): Buffer {
  const gzipped = readFileSync(image);
  const size = gzipped.length >= 4 ? gzipped.readUInt32LE(gzipped.length - 4) : 0;
  return gunzipSync(gzipped, { chunkSize: Math.min(Math.max(size + 1, 64 * 1024), 2 ** 29) });
}

/**
 * The image as PGlite's loadDataDir takes it (a plain tar), for an in-memory database: read, inflated and
 * wrapped once per process, since the tests start dozens of them (a Blob is immutable, so one serves them all;
 * copying the tar into a new Blob cost ~0.3 s of CPU per database). Undefined when the build ships no
 * image (PGlite then runs initdb).
 */
export function initialImageBlob(image = initialImagePath): Blob | undefined {
  let blob = shippedImages.get(image);
  if (blob === undefined) {
    blob = existsSync(image) ? new Blob([readImage(image)]) : null;
    shippedImages.set(image, blob);
  }
  return blob ?? undefined;
}

/** A PostgreSQL data directory is initialised once it has PG_VERSION (written last by unpackInitialImage). */
export const isInitialised = (dataDir: string): boolean => existsSync(join(dataDir, 'PG_VERSION'));

interface TarEntry {
  name: string;
  directory: boolean;
  data: Buffer;
}

/** The entries of a ustar archive (files and directories only: what PGlite's dumpDataDir writes). */
export function readTar(archive: Buffer): TarEntry[] {
  const entries: TarEntry[] = [];
  const text = (start: number, length: number) => archive.toString('latin1', start, start + length).replace(/\0.*$/s, '');
  for (let offset = 0; offset + 512 <= archive.length; ) {
    const header = archive.subarray(offset, offset + 512);
    if (header.every((byte) => byte === 0)) break;
    const prefix = text(offset + 345, 155);
    const name = (prefix ? `${prefix}/` : '') + text(offset, 100);
    const size = Number.parseInt(text(offset + 124, 12).trim() || '0', 8);
    const type = text(offset + 156, 1) || '0';
    if (type !== '0' && type !== '5') throw new Error(`unexpected entry type ${JSON.stringify(type)} for ${name} in the initial database image`);
    entries.push({ name, directory: type === '5', data: archive.subarray(offset + 512, offset + 512 + size) });
    offset += 512 + Math.ceil(size / 512) * 512;
  }
  return entries;
}

const chunkBytes = 1024 * 1024;
const zeros = Buffer.alloc(chunkBytes);

/**
 * Writes `data` to a new file a megabyte at a time, leaving every megabyte of zeros a hole: the image's WAL
 * segment is 16 MB of which a few hundred bytes are written, and the kernel answers zeros for the rest.
 */
function writeSparse(target: string, data: Buffer): void {
  const fd = openSync(target, 'w', 0o600);
  try {
    let written = 0;
    for (let offset = 0; offset < data.length; offset += chunkBytes) {
      const chunk = data.subarray(offset, offset + chunkBytes);
      if (chunk.equals(zeros.subarray(0, chunk.length))) continue;
      writeSync(fd, chunk, 0, chunk.length, offset);
      written = offset + chunk.length;
    }
    if (written < data.length) ftruncateSync(fd, data.length);
  } finally {
    closeSync(fd);
  }
}

/**
 * Unpacks the image into `dataDir` (whose PG_VERSION is absent), PG_VERSION last: a start that dies half-way
 * leaves a directory the next start unpacks again rather than one PGlite would take for a database.
 * Answers false when there is no image (a build without it): PGlite then runs initdb as usual.
 */
export function unpackInitialImage(dataDir: string, image = initialImagePath): boolean {
  if (!existsSync(image)) return false;
  const entries = readTar(readImage(image));
  const last = entries.filter((entry) => entry.name.replace(/^\/+/, '') === 'PG_VERSION');
  for (const entry of [...entries.filter((entry) => !last.includes(entry)), ...last]) {
    const relative = normalize(entry.name.replace(/^\/+/, ''));
    if (relative === '.' || relative.startsWith('..') || relative.includes(`${sep}..${sep}`)) continue;
    const target = join(dataDir, relative);
    if (entry.directory) {
      mkdirSync(target, { recursive: true });
    } else if (!relative.endsWith('postmaster.pid')) {
      mkdirSync(dirname(target), { recursive: true });
      writeSparse(target, entry.data);
    }
  }
  return true;
}
