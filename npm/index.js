// Browser (and bundler) entry: call the default export once before anything else:
//   import init, { verify } from 'glpi-key'; await init();
import initWasm from './wasm/glpi_key_js.js';
import { markReady } from './core.js';

export * from './core.js';

/**
 * Loads the WebAssembly module. By default it is fetched next to this file; pass a URL,
 * Response, bytes or a compiled WebAssembly.Module to load it from elsewhere.
 */
export default async function init(moduleOrPath) {
  await initWasm(moduleOrPath === undefined ? undefined : { module_or_path: moduleOrPath });
  markReady();
}
