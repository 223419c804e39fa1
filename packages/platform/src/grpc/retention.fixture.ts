/**
 * Run by client.test.ts under `node --trace-gc-nvp`: unary calls whose `onServerTiming` callback
 * captures a sizeable object of its caller's, as the gateway's captures the HTTP reply it times.
 * V8 prints a line per collection (`promoted=<bytes>` among its fields); this prints the calls made.
 */
import { paymentV1 } from "@qc/contracts";
import { serveForTest } from "./test-service";

const CALLS = 3_000;
const wallet = { wallet: { customerId: "a", balanceCents: 0, currency: "EUR" } };
const notUsed = () => Promise.reject(new Error("not used"));
const { client, stop } = await serveForTest(paymentV1.PaymentServiceService, {
  getWallet: async () => wallet,
  charge: notUsed,
  refund: notUsed,
  credit: notUsed,
});
let timed = 0;
for (let i = 0; i < CALLS; i++) {
  // About 200 KB of young objects, reachable only from the callback once the call has ended.
  const callerState = Array.from({ length: 5_000 }, (_, j) => ({ j }));
  await client.call.getWallet(
    { customerId: "a", currency: "" },
    { onServerTiming: () => (timed += callerState.length > 0 ? 1 : 0) },
  );
}
await stop();
process.stdout.write(`${JSON.stringify({ calls: CALLS, timed })}\n`);
