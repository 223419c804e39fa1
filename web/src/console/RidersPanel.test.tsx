import { cleanup, render, screen } from "@testing-library/react";
import { afterEach, describe, expect, it, vi } from "vitest";
import type { RiderPosition } from "../api/types";
import type { Session } from "../session";
import { RidersPanel, riderState } from "./RidersPanel";

afterEach(() => {
  cleanup();
  vi.unstubAllGlobals();
});

const session: Session = { token: "t", subject: "ops", role: "admin", expiresAt: null };
const seenAt = "2026-11-30T10:00:00.000Z";
const RIDERS: RiderPosition[] = [
  { riderId: "rider-1", lat: 52.5221, lon: 13.4135, available: true, busy: true, orderId: "o-7", seenAt },
  { riderId: "rider-2", lat: 52.53, lon: 13.4, available: true, busy: false, seenAt },
  { riderId: "rider-3", lat: 52.51, lon: 13.42, available: false, busy: false, seenAt },
];

describe("the console's riders", () => {
  it("plots every rider the API lists at their position, with what each is doing", async () => {
    const fetch = vi.fn(
      async () =>
        new Response(JSON.stringify({ items: RIDERS }), {
          status: 200,
          headers: { "content-type": "application/json" },
        }),
    );
    vi.stubGlobal("fetch", fetch);
    render(<RidersPanel session={session} />);
    await screen.findByTestId("rider-rider-3");
    expect(fetch).toHaveBeenCalledTimes(1);
    expect(fetch.mock.calls[0]).toEqual(["/v1/admin/riders?limit=200", expect.anything()]);
    expect(screen.getByTestId("rider-rider-1").textContent).toMatch(/^rider-1 · busy with order o-7 · seen /);
    const plot = screen.getByRole("img", { name: /Riders and the store/ });
    expect(plot.getAttribute("aria-label")).toBe(
      "Riders and the store: store, rider-1 (busy with order o-7), rider-2 (free), rider-3 (unavailable)",
    );
  });

  it("names a rider's state: busy with an order, free, or unavailable", () => {
    expect(RIDERS.map(riderState)).toEqual(["busy with order o-7", "free", "unavailable"]);
  });
});
