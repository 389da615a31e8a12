import * as tf from '@tensorflow/tfjs';
import { initTfjsBackend, nodeBackendSetup, selectTfjsBackend } from '../../../src/scoring/tfjs-backend';
import { silentLogger } from '../../../src/lib/logger';

function isTfjsNodeInstalled(): boolean {
  try {
    require.resolve('@tensorflow/tfjs-node');
    return true;
  } catch {
    return false;
  }
}

describe('selectTfjsBackend', () => {
  it('uses wasm from node_modules when tfjs-node is absent', async () => {
    const { backend } = await selectTfjsBackend({ logger: silentLogger() });
    expect(backend).toBe(isTfjsNodeInstalled() ? 'tensorflow' : 'wasm');
    expect(tf.getBackend()).toBe(backend);
    expect(Array.from(tf.tidy(() => tf.add(tf.scalar(2), tf.scalar(3))).dataSync())).toEqual([5]);
  });

  it('starts the chain at the preferred backend', async () => {
    const { backend } = await selectTfjsBackend({ prefer: 'cpu' });
    expect(backend).toBe('cpu');
    expect(tf.getBackend()).toBe('cpu');
  });

  it('falls back to cpu when the wasm module cannot be registered', async () => {
    const setup = {
      registerTensorflow: () => {
        throw new Error('no tfjs-node');
      },
      registerWasm: () => {
        throw new Error('no wasm package');
      },
    };
    const { backend } = await selectTfjsBackend({ prefer: 'wasm' }, setup);
    expect(backend).toBe('cpu');
  });

  it('falls back to cpu when wasm initialisation fails', async () => {
    jest.spyOn(console, 'warn').mockImplementation(() => undefined);
    const setup = {
      ...nodeBackendSetup,
      registerWasm: () => {
        tf.removeBackend('wasm');
        tf.registerBackend('wasm', () => Promise.reject(new Error('wasm binary unreadable')));
      },
    };
    const debug = jest.fn();
    const logger = Object.assign(silentLogger(), { debug, info: jest.fn() });
    const { backend } = await selectTfjsBackend({ prefer: 'wasm', logger }, setup);
    expect(backend).toBe('cpu');
    expect(debug).toHaveBeenCalledWith(
      expect.objectContaining({ backend: 'wasm', reason: expect.stringContaining('returned false') }),
      expect.any(String),
    );
    expect(logger.info).toHaveBeenCalledTimes(1);
  });
});

describe('initTfjsBackend', () => {
  it('initialises once and returns the cached promise', async () => {
    const first = initTfjsBackend();
    const second = initTfjsBackend({ prefer: 'cpu' });
    expect(second).toBe(first);
    const { tf: lib, backend } = await first;
    expect(lib.getBackend()).toBe(backend);
    expect(lib.memory).toBe(tf.memory);
  });
});
