// The states a record kept on the phone goes through (records.js holds the transitions). Kept
// apart so the pure modules (the due list's counting) can name them without reaching storage.
export const RecordState = Object.freeze({ DRAFT: 'draft', OUTBOX: 'outbox', REJECTED: 'rejected' });

/** Waiting for the server: sealed, or sealed and refused. */
export const inOutbox = (record) => record.state === RecordState.OUTBOX || record.state === RecordState.REJECTED;
