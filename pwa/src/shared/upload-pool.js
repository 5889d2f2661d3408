// Several uploads in flight at once, each image once per run. Pure (no storage, no network), so
// it is tested in Node; sync.js gives it the work.
//
// Why: on a mobile link every request first waits a round trip (150–300 ms) before its bytes
// flow, and the server decodes an image after its last byte. One upload at a time leaves the
// uplink idle through each of those gaps; with a few in flight, another upload's bytes fill them.

/**
 * `work(key, signal)` for each key asked with `want(key)`, at most `limit` at a time, in the
 * order asked; asking again for a key joins the first request. `stop()` starts nothing more,
 * aborts what is in flight (through `signal`) and resolves once all of it has settled, so a
 * later run never races this one's requests.
 */
export function uploadPool(limit, work) {
  const jobs = new Map();
  const waiting = [];
  const controller = new AbortController();
  let active = 0;

  const pump = () => {
    while (active < limit && waiting.length && !controller.signal.aborted) {
      const job = waiting.shift();
      active += 1;
      Promise.resolve()
        .then(() => work(job.key, controller.signal))
        .then(job.resolve, job.reject)
        .finally(() => { active -= 1; pump(); });
    }
  };

  return {
    want(key) {
      if (!jobs.has(key)) {
        const promise = new Promise((resolve, reject) => waiting.push({ key, resolve, reject }));
        // Whoever needs the result awaits it; one asked ahead for a later record may fail after
        // the run already ended, and that is no unhandled error.
        promise.catch(() => {});
        jobs.set(key, promise);
        pump();
      }
      return jobs.get(key);
    },
    get active() { return active; },
    async stop(reason = new Error('stopped')) {
      controller.abort();
      for (const job of waiting.splice(0)) job.reject(reason);
      await Promise.allSettled([...jobs.values()]);
    },
  };
}
