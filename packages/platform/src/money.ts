/**
 * The most Payment charges for one order, in cents. Payment refuses a larger charge; the order
 * service refuses an order whose total is larger before writing it (ORDER_TOTAL_TOO_LARGE), so such
 * an order never reaches the saga only to fail there.
 *
 * Pure values only, so services' domain code may import it.
 */
export const MAX_CHARGE_CENTS = 10_000_000_000;
