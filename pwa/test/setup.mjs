// Loaded with `node --import` before the unit tests (package.json "test").
import { register } from 'node:module';

register('./messages-hooks.mjs', import.meta.url);
