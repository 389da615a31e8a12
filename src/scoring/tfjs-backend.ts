import path from 'node:path';
import * as tfjs from '@tensorflow/tfjs';
import type { Logger } from '../lib/logger';

export type TfjsBackendName = 'tensorflow' | 'wasm' | 'cpu';
export type Tfjs = typeof import('@tensorflow/tfjs');

export interface TfjsBackend {
  backend: TfjsBackendName;
  tf: Tfjs;
}

export interface InitTfjsBackendOptions {
  logger?: Logger;
  /** Where to start the fallback chain tensorflow → wasm → cpu. Default 'tensorflow'. */
  prefer?: TfjsBackendName;
}

/** How each backend gets registered; injectable so tests can make one fail. */
export interface BackendSetup {
  /** Registers the native 'tensorflow' backend; throws when @tensorflow/tfjs-node is absent. */
  registerTensorflow(): void;
  /** Registers the 'wasm' backend with its .wasm files served from node_modules. */
  registerWasm(): void;
}

const FALLBACK_ORDER: readonly TfjsBackendName[] = ['tensorflow', 'wasm', 'cpu'];

export const nodeBackendSetup: BackendSetup = {
  registerTensorflow() {
    // Optional dependency: its install downloads libtensorflow, so it is often missing.
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    require('@tensorflow/tfjs-node');
  },
  registerWasm() {
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const wasm = require('@tensorflow/tfjs-backend-wasm') as typeof import('@tensorflow/tfjs-backend-wasm');
    // Never let the backend fetch its binaries from a CDN.
    wasm.setWasmPaths(path.dirname(require.resolve('@tensorflow/tfjs-backend-wasm')) + '/');
  },
};

/**
 * Selects and activates the first backend that works, starting at `prefer`.
 * Not cached: use initTfjsBackend in application code.
 */
export async function selectTfjsBackend(
  options: InitTfjsBackendOptions = {},
  setup: BackendSetup = nodeBackendSetup,
  tf: Tfjs = tfjs,
): Promise<TfjsBackend> {
  const start = FALLBACK_ORDER.indexOf(options.prefer ?? 'tensorflow');
  for (const name of FALLBACK_ORDER.slice(start)) {
    const failure = await activateBackend(tf, name, setup);
    if (failure === undefined) {
      options.logger?.info({ backend: name }, 'tfjs backend ready');
      return { backend: name, tf };
    }
    options.logger?.debug({ backend: name, reason: describe(failure) }, 'tfjs backend unavailable, falling back');
  }
  throw new Error('no tfjs backend could be initialised, not even cpu');
}

/** Returns undefined on success, the reason otherwise. */
async function activateBackend(tf: Tfjs, name: TfjsBackendName, setup: BackendSetup): Promise<unknown> {
  try {
    if (name === 'tensorflow') setup.registerTensorflow();
    if (name === 'wasm') setup.registerWasm();
    // setBackend resolves false (rather than throwing) when the backend's init fails.
    const ok = await tf.setBackend(name);
    if (!ok) return new Error(`tf.setBackend('${name}') returned false`);
    await tf.ready();
    return tf.getBackend() === name ? undefined : new Error(`active backend is ${tf.getBackend()}`);
  } catch (err) {
    return err;
  }
}

function describe(failure: unknown): string {
  return failure instanceof Error ? failure.message.split('\n')[0] : String(failure);
}

let cached: Promise<TfjsBackend> | undefined;

/**
 * Picks the fastest available tfjs backend once per process and caches the result; later
 * calls return the same promise whatever their options.
 */
export function initTfjsBackend(options: InitTfjsBackendOptions = {}): Promise<TfjsBackend> {
  cached ??= selectTfjsBackend(options).catch((err: unknown) => {
    cached = undefined;
    throw err;
  });
  return cached;
}
