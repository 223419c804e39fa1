import { describe, expect, it } from "vitest";
import { settleFootprint, type Footprint } from "./footprint";

/** A fake clock and a sampler that reads each process's RSS from a timeline (ms → MiB). */
function scripted(timelines: Record<string, (ms: number) => number | null>) {
  let now = 0;
  return {
    sample: (): Footprint => Object.fromEntries(Object.entries(timelines).map(([name, at]) => [name, at(now)])),
    clock: {
      now: () => now,
      sleep: async (ms: number) => {
        now += ms;
      },
    },
  };
}

const options = { capMs: 150_000, intervalMs: 2_000, quietMs: 20_000, minFallMiB: 5 };

describe("settleFootprint: resident memory once idle", () => {
  it("waits until every process has given memory back and stopped falling, and says when each fell", async () => {
    const { sample, clock } = scripted({
      // The memory reducer's GCs: gateway in two steps 16 s apart (90 s, 106 s), payment once at 70 s.
      gateway: (ms) => (ms < 90_000 ? 148 : ms < 106_000 ? 106 : 97),
      payment: (ms) => (ms < 70_000 ? 113 : 76),
    });
    const settled = await settleFootprint(sample, { ...options, ...clock });
    expect(settled.beforeMiB).toEqual({ gateway: 148, payment: 113 });
    expect(settled.idleMiB).toEqual({ gateway: 97, payment: 76 });
    expect(settled.fellAfterS).toEqual({ gateway: 106, payment: 70 });
    // The last fall, then the quiet period with nothing falling further.
    expect(settled.waitedS).toBe(126);
  });

  it("holds the wait to the cap while a process never gives memory back, and reports it as not fallen", async () => {
    const { sample, clock } = scripted({
      rider: (ms) => (ms < 14_000 ? 92 : 77),
      // Busy: allocating, collecting, never idle long enough; small ups and downs are no fall.
      order: (ms) => 131 + ((ms / 2_000) % 3),
    });
    const settled = await settleFootprint(sample, { ...options, ...clock });
    expect(settled.waitedS).toBe(150);
    expect(settled.fellAfterS).toEqual({ rider: 14, order: null });
    expect(settled.idleMiB.rider).toBe(77);
  });

  it("does not wait for a process that is gone", async () => {
    const { sample, clock } = scripted({ gone: () => null, payment: (ms) => (ms < 4_000 ? 90 : 74) });
    const settled = await settleFootprint(sample, { ...options, ...clock });
    expect(settled.fellAfterS).toEqual({ gone: null, payment: 4 });
    expect(settled.waitedS).toBe(24);
  });
});
