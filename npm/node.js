// Node entry: the WebAssembly module is read from the package and instantiated on import, so
// every function works at once. The default export exists for code shared with browsers.
import { readFileSync } from 'node:fs';
import { initSync } from './wasm/glpi_key_js.js';
import { markReady } from './core.js';

initSync({ module: readFileSync(new URL('./wasm/glpi_key_js_bg.wasm', import.meta.url)) });
markReady();

export * from './core.js';

/** Already loaded on import under Node; resolves at once. */
export default async function init() {}
