// Node module hooks for the unit tests: `virtual:messages` is made by a Vite plugin at build
// time (build/messages.js); here the same function makes it from the same catalogs.
import { readMessages } from '../build/messages.js';

const ID = 'virtual:messages';

export async function resolve(specifier, context, nextResolve) {
  if (specifier === ID) return { url: ID, shortCircuit: true };
  return nextResolve(specifier, context);
}

export async function load(url, context, nextLoad) {
  if (url === ID) {
    return { format: 'module', shortCircuit: true,
      source: `export default ${JSON.stringify(readMessages())};` };
  }
  return nextLoad(url, context);
}
