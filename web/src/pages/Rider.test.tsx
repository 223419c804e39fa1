import { cleanup, fireEvent, render, screen, within } from "@testing-library/react";
import { afterEach, describe, expect, it, vi } from "vitest";
import type { Order } from "../api/types";
import type { Session } from "../session";
import { anOrder } from "../testing/fixtures";
import RiderView from "./Rider";

afterEach(() => {
  cleanup();
  vi.unstubAllGlobals();
});

const session: Session = { token: "t", subject: "rider-1", role: "rider", expiresAt: null };

const json = (body: unknown, status = 200) =>
  new Response(JSON.stringify(body), { status, headers: { "content-type": "application/json" } });

/** The gateway as far as the rider's screen asks it: the assignment (given by `carried`) and delivery. */
function gateway(carried: { order: Order | null }) {
  const calls: string[] = [];
  vi.stubGlobal(
    "fetch",
    vi.fn(async (path: string, init?: RequestInit) => {
      calls.push(`${init?.method ?? "GET"} ${path}`);
      if (path === "/v1/riders/rider-1/assignment")
        return carried.order === null ? new Response(null, { status: 204 }) : json(carried.order);
      if (path.endsWith("/delivered") && carried.order !== null) {
        const delivered = { ...carried.order, status: "DELIVERED" as const };
        carried.order = null;
        return json(delivered);
      }
      return json({ status: 404, code: "NOT_FOUND" }, 404);
    }),
  );
  return calls;
}

describe("the rider's screen", () => {
  it("shows the order the rider carries with its delivery point, and delivers it after a confirmation", async () => {
    const carried = {
      order: anOrder("CONFIRMED", {
        id: "o-7",
        riderId: "rider-1",
        deliveryLocation: { lat: 52.5205, lon: 13.4061 },
      }) as Order | null,
    };
    const calls = gateway(carried);
    render(<RiderView session={session} />);
    const assignment = await screen.findByTestId("assignment");
    expect(assignment.textContent).toContain("o-7");
    expect(assignment.textContent).toContain("2 × banana");
    expect(assignment.textContent).toContain("52.52050, 13.40610");
    expect(screen.getByRole("img", { name: /delivery point/ })).toBeTruthy();

    fireEvent.click(within(assignment).getByRole("button", { name: "Mark delivered" }));
    const dialog = await screen.findByRole("alertdialog", { name: "Mark as delivered?" });
    fireEvent.click(within(dialog).getByRole("button", { name: "Mark delivered" }));
    await screen.findByText(/You are free for the next one/);
    expect(calls).toContain("POST /v1/orders/o-7/delivered");
    // Asked again: nothing carried now.
    await screen.findByText(/No order for you yet/);
    expect(screen.queryByTestId("assignment")).toBeNull();
  });

  it("says plainly when the rider carries nothing", async () => {
    gateway({ order: null });
    render(<RiderView session={session} />);
    await screen.findByText(/No order for you yet/);
    expect(screen.queryByRole("button", { name: "Mark delivered" })).toBeNull();
  });
});
