import fs from 'node:fs';
import { once } from 'node:events';
import path from 'node:path';

/** Writes with backpressure: waits for 'drain' when the stream's buffer is full. */
export async function writeChunk(stream: NodeJS.WritableStream, chunk: string): Promise<void> {
  if (!stream.write(chunk)) await once(stream, 'drain');
}

export interface OutputFile {
  stream: NodeJS.WritableStream;
  /** renames the partial file into place */
  commit(): Promise<void>;
  /** removes the partial file: an interrupted export leaves nothing half-written under the real name */
  abort(): Promise<void>;
}

/** A file written as `<name>.partial` and renamed into place only when complete. */
export async function openOutputFile(file: string): Promise<OutputFile> {
  const target = path.resolve(file);
  const partial = `${target}.partial`;
  const stream = fs.createWriteStream(partial, { flags: 'w' });
  await once(stream, 'open');
  const close = async () => {
    if (stream.closed) return;
    stream.end();
    await once(stream, 'close');
  };
  return {
    stream,
    commit: async () => {
      await close();
      await fs.promises.rename(partial, target);
    },
    abort: async () => {
      stream.destroy();
      await fs.promises.rm(partial, { force: true });
    },
  };
}
