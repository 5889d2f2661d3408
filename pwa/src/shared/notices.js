// App-wide notices (update available, ready offline, storage, errors) any module can raise.
export const notices = {
  value: {},
  listeners: new Set(),
  set(changes) {
    this.value = { ...this.value, ...changes };
    for (const listener of this.listeners) listener(this.value);
  },
};
