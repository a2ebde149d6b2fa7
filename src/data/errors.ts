/** A problem with the user's data: one clear sentence, safe to show as is. Nothing was changed. */
export class DatasetError extends Error {
  override name = 'DatasetError';
}
