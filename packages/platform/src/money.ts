/**
 * The most Payment charges for one order, in cents. Payment refuses a larger charge; the order
 * service refuses an order whose total is larger before writing it (ORDER_TOTAL_TOO_LARGE), so such
 * an order never reaches the saga only to fail there.
 *
 * Pure values only, so services' domain code may import it.
 */
export const MAX_CHARGE_CENTS = 10_000_000_000;

/**
 * An ISO 4217 currency code: three capital letters. The one rule for every currency the platform
 * takes (products' prices, wallet balances, charges), as a pattern for JSON schemas and a check.
 */
export const CURRENCY_PATTERN = "^[A-Z]{3}$";
export const CURRENCY_RULE = "three capital letters (ISO 4217)";
const CURRENCY = new RegExp(CURRENCY_PATTERN);

export const isCurrency = (currency: unknown): currency is string =>
  typeof currency === "string" && CURRENCY.test(currency);

/**
 * The currency of money that names none: a wallet credit without one, and every currency field left
 * empty on the wire (callers older than currencies, whose single balance became this currency).
 */
export const DEFAULT_CURRENCY = "USD";
