// App-wide notices (update available, ready offline, storage, errors) any module can raise.
const timers = {};

export const notices = {
  value: {},
  listeners: new Set(),
  set(changes) {
    this.value = { ...this.value, ...changes };
    for (const listener of this.listeners) listener(this.value);
  },
  /** A short confirmation that goes by itself after a few seconds. */
  flash(changes, ms = 4000) {
    this.set(changes);
    for (const key of Object.keys(changes)) {
      clearTimeout(timers[key]);
      timers[key] = setTimeout(() => this.set({ [key]: null }), ms);
    }
  },
};
