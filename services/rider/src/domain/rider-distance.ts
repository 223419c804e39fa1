/** A rider and their distance from the point asked about, in km as the geo index measured it. */
export interface RiderDistance {
  readonly riderId: string;
  readonly distanceKm: number;
}
