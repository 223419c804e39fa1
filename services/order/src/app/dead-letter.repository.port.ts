export type DeadLetterStatus = "open" | "resolved";

export interface DeadLetter {
  readonly id: string;
  readonly orderId: string;
  /** The compensation that could not run, e.g. `release-stock`. */
  readonly step: string;
  readonly error: string;
  readonly attempts: number;
  readonly status: DeadLetterStatus;
  readonly nextAttemptAt: Date;
  readonly createdAt: Date;
  readonly updatedAt: Date;
}

/** Compensations that failed all their retries, kept for reconciliation. */
export interface DeadLetterRepository {
  /** Records a failed compensation; a second one for the same order and step adds its attempts. */
  add(entry: {
    id: string;
    orderId: string;
    step: string;
    error: string;
    attempts: number;
    nextAttemptAt: Date;
  }): Promise<void>;
  get(id: string): Promise<DeadLetter | null>;
  list(status: DeadLetterStatus | null, limit: number): Promise<DeadLetter[]>;
  /**
   * Locks one dead letter for a redrive while `work` runs, so two replicas (or a replay and the
   * background redrive) never run the same compensation at once. `null` id takes the next due one.
   */
  withLocked<T>(
    id: string | null,
    work: (entry: DeadLetter) => Promise<{ resolved: boolean; error?: string; retryAt?: Date; result: T }>,
  ): Promise<T | null>;
  countOpen(): Promise<number>;
}
