// Input bounds shared by the three APIs. Texts beyond the model's token limit are truncated
// anyway; these bounds keep one request from monopolising the batcher or the term matcher.
export const MAX_TEXTS_PER_REQUEST = 256;
export const MAX_TEXT_LENGTH = 100_000;
export const LANGUAGE_PATTERN = "^[a-z]{2,3}$";
// `context` is recorded verbatim with every decision: flat and bounded, so one request cannot
// make a decision record huge or too deeply nested to store.
export const MAX_CONTEXT_ENTRIES = 32;
export const MAX_CONTEXT_KEY_LENGTH = 128;
export const MAX_CONTEXT_VALUE_LENGTH = 1024;
