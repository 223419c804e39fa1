export interface RiderPolicy {
  /** A rider whose last location update is older than this is neither listed nor assigned. */
  readonly staleMs: number;
  /** How far from the pickup point AssignNearest looks. */
  readonly assignRadiusKm: number;
}
