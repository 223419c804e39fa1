import { cleanup, render, screen, within } from "@testing-library/react";
import { afterEach, describe, expect, it } from "vitest";
import type { HistoryEntry, Order } from "../api/types";
import { anEntry, anOrder } from "../testing/fixtures";
import { OrderProgress } from "./OrderProgress";

afterEach(cleanup);

const entry = anEntry;
const order = (status: Order["status"], history: HistoryEntry[], overrides: Partial<Order> = {}): Order =>
  anOrder(status, { history, ...overrides });

const stepState = (i: number) => screen.getByTestId(`step-${i}`).className.replace(/^step /, "");

describe("OrderProgress", () => {
  it("shows a PENDING order's saga filling in: steps done, the next in progress, the rest waiting", () => {
    const created = entry("order", "created", "ORDER_CREATED");
    const { rerender } = render(<OrderProgress order={order("PENDING", [created])} />);
    expect(screen.getByRole("heading", { level: 2 }).textContent).toMatch(/PENDING.*processing/);
    expect(stepState(0)).toBe("step-done");
    expect(stepState(1)).toBe("step-current");
    expect(screen.getByTestId("step-1").getAttribute("aria-current")).toBe("step");
    expect(stepState(2)).toBe("step-waiting");
    expect(screen.getByRole("progressbar").getAttribute("aria-valuenow")).toBe("1");

    // The stock is reserved: the next render (a live update) moves the progress on.
    rerender(<OrderProgress order={order("PENDING", [created, entry("reserve-stock", "done", "STOCK_RESERVED")])} />);
    expect(stepState(1)).toBe("step-done");
    expect(stepState(2)).toBe("step-current");
    expect(screen.getByRole("progressbar").getAttribute("aria-valuenow")).toBe("2");
  });

  it("shows CONFIRMED, then the rider, then DELIVERED", () => {
    const history = [
      entry("order", "created", "ORDER_CREATED"),
      entry("reserve-stock", "done", "STOCK_RESERVED"),
      entry("charge-payment", "done", "PAYMENT_CHARGED"),
      entry("saga", "confirmed", "ORDER_CONFIRMED"),
    ];
    const { rerender } = render(<OrderProgress order={order("CONFIRMED", history)} />);
    expect(screen.getByRole("heading", { level: 2 }).textContent).toMatch(/finding a rider/);
    expect(stepState(4)).toBe("step-current");
    const assigned = [...history, entry("assign-rider", "done", "RIDER_ASSIGNED")];
    rerender(<OrderProgress order={order("CONFIRMED", assigned, { riderId: "rider-1" })} />);
    expect(screen.getByRole("heading", { level: 2 }).textContent).toMatch(/rider is on the way/);
    rerender(
      <OrderProgress
        order={order("DELIVERED", [...assigned, entry("delivery", "done", "ORDER_DELIVERED")], { riderId: "rider-1" })}
      />,
    );
    expect([0, 1, 2, 3, 4, 5].map(stepState).every((s) => s === "step-done")).toBe(true);
  });

  it("explains a FAILED order in plain words and lists what was undone", () => {
    const history = [
      entry("order", "created", "ORDER_CREATED"),
      entry("reserve-stock", "done", "STOCK_RESERVED"),
      entry("charge-payment", "refused", "PAYMENT_DECLINED"),
      entry("release-stock", "done", "STOCK_RELEASED"),
    ];
    render(<OrderProgress order={order("FAILED", history, { failureReason: "PAYMENT_DECLINED" })} />);
    expect(stepState(1)).toBe("step-done");
    expect(stepState(2)).toBe("step-failed");
    expect(stepState(3)).toBe("step-skipped");
    const alert = screen.getByRole("alert");
    expect(alert.textContent).toMatch(/payment was declined.*enough EUR/);
    expect(within(alert).getByRole("list").textContent).toMatch(/put back on the shelf/);
  });

  it("says a service outage is worth another try, and that nothing was charged when nothing ran", () => {
    const history = [
      entry("order", "created", "ORDER_CREATED"),
      entry("reserve-stock", "failed", "SERVICE_UNAVAILABLE"),
    ];
    render(<OrderProgress order={order("FAILED", history, { failureReason: "SERVICE_UNAVAILABLE" })} />);
    expect(stepState(1)).toBe("step-failed");
    expect(screen.getByRole("alert").textContent).toMatch(/unavailable.*try again.*Nothing was reserved or charged/s);
  });
});
