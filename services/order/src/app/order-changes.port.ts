/** Learns that an order changed, whichever replica wrote the change. */
export interface OrderChanges {
  /**
   * Calls `onChange` each time order `id` may have changed (also when changes may have been missed,
   * so the watcher reads it again); the function returned stops it.
   */
  subscribe(id: string, onChange: () => void): () => void;
}
