import { act, cleanup, fireEvent, render, screen } from "@testing-library/react";
import { afterEach, describe, expect, it, vi } from "vitest";
import { ApiError, NetworkError } from "./api/client";
import type { CreateOrderBody, Order } from "./api/types";
import { useCheckout, type CheckoutDeps } from "./checkout";
import { anOrder } from "./testing/fixtures";

afterEach(cleanup);

function memoryStorage() {
  const map = new Map<string, string>();
  return {
    getItem: (k: string) => map.get(k) ?? null,
    setItem: (k: string, v: string) => void map.set(k, v),
    removeItem: (k: string) => void map.delete(k),
  };
}

function Checkout({
  deps,
  body,
  onPlaced,
}: {
  deps: CheckoutDeps;
  body: CreateOrderBody;
  onPlaced: (o: Order) => void;
}) {
  const { state, checkout } = useCheckout(deps, onPlaced);
  return (
    <div>
      <button type="button" onClick={() => void checkout(body)} disabled={false}>
        Place order
      </button>
      <p data-testid="phase">{state.phase}</p>
      {state.phase === "failed" && <p role="alert">{state.message}</p>}
    </div>
  );
}

const BANANAS: CreateOrderBody = { items: [{ sku: "banana", quantity: 2 }] };
const MILK: CreateOrderBody = { items: [{ sku: "milk", quantity: 1 }] };

/** A createOrder whose answers the test releases one at a time. */
function controlledCreateOrder() {
  const calls: { key: string; body: CreateOrderBody; resolve: (o: Order) => void; reject: (e: unknown) => void }[] = [];
  const createOrder = vi.fn(
    (body: CreateOrderBody, key: string) =>
      new Promise<Order>((resolve, reject) => {
        calls.push({ key, body, resolve, reject });
      }),
  );
  return { createOrder, calls };
}

describe("checkout: one Idempotency-Key per checkout attempt", () => {
  it("sends one request for a double click, with one key", async () => {
    const { createOrder, calls } = controlledCreateOrder();
    const placed = vi.fn();
    let n = 0;
    render(
      <Checkout
        deps={{ createOrder, newKey: () => `key-${++n}`, storage: memoryStorage() }}
        body={BANANAS}
        onPlaced={placed}
      />,
    );
    const button = screen.getByRole("button", { name: "Place order" });
    fireEvent.click(button);
    fireEvent.click(button);
    fireEvent.click(button);
    expect(createOrder).toHaveBeenCalledTimes(1);
    expect(calls[0]?.key).toBe("key-1");
    await act(async () => calls[0]?.resolve(anOrder("CONFIRMED")));
    expect(placed).toHaveBeenCalledWith(expect.objectContaining({ id: "o-1", status: "CONFIRMED" }));
  });

  it("retries with the same key after a network error or a 503, and a new one once an order came back", async () => {
    const { createOrder, calls } = controlledCreateOrder();
    const placed = vi.fn();
    let n = 0;
    const storage = memoryStorage();
    render(<Checkout deps={{ createOrder, newKey: () => `key-${++n}`, storage }} body={BANANAS} onPlaced={placed} />);
    const button = screen.getByRole("button", { name: "Place order" });

    fireEvent.click(button);
    await act(async () => calls[0]?.reject(new NetworkError(new TypeError("Failed to fetch"))));
    expect(screen.getByTestId("phase").textContent).toBe("failed");
    expect(screen.getByRole("alert").textContent).toMatch(/can't be reached/);

    fireEvent.click(button);
    await act(async () => calls[1]?.reject(new ApiError(503, { status: 503, code: "CIRCUIT_OPEN" }, 5)));
    fireEvent.click(button);
    expect(calls.map((c) => c.key)).toEqual(["key-1", "key-1", "key-1"]);

    await act(async () => calls[2]?.resolve(anOrder("PENDING")));
    expect(placed).toHaveBeenCalledTimes(1);
    // The attempt is over: the next checkout is another order, with another key.
    fireEvent.click(button);
    expect(calls[3]?.key).toBe("key-2");
  });

  it("ends the attempt when the refusal carries the failed order (402), and starts a new one for another cart", async () => {
    const { createOrder, calls } = controlledCreateOrder();
    const placed = vi.fn();
    let n = 0;
    const storage = memoryStorage();
    const deps = { createOrder, newKey: () => `key-${++n}`, storage };
    const { rerender } = render(<Checkout deps={deps} body={BANANAS} onPlaced={placed} />);
    fireEvent.click(screen.getByRole("button"));
    const failed = anOrder("FAILED", { failureReason: "PAYMENT_DECLINED" });
    await act(async () =>
      calls[0]?.reject(new ApiError(402, { status: 402, code: "PAYMENT_DECLINED", order: failed }, null)),
    );
    expect(placed).toHaveBeenCalledWith(failed);

    fireEvent.click(screen.getByRole("button"));
    await act(async () => calls[1]?.reject(new NetworkError(new TypeError("Failed to fetch"))));
    // The cart changed: the same key with another body would be refused (422), so a new attempt.
    rerender(<Checkout deps={deps} body={MILK} onPlaced={placed} />);
    fireEvent.click(screen.getByRole("button"));
    expect(calls.map((c) => c.key)).toEqual(["key-1", "key-2", "key-3"]);
  });

  it("keeps the key across a reload of the page mid-checkout (sessionStorage)", async () => {
    const storage = memoryStorage();
    const first = controlledCreateOrder();
    let n = 0;
    const newKey = () => `key-${++n}`;
    const view = render(
      <Checkout deps={{ createOrder: first.createOrder, newKey, storage }} body={BANANAS} onPlaced={vi.fn()} />,
    );
    fireEvent.click(screen.getByRole("button"));
    await act(async () => first.calls[0]?.reject(new NetworkError(new TypeError("offline"))));
    view.unmount();

    const second = controlledCreateOrder();
    render(<Checkout deps={{ createOrder: second.createOrder, newKey, storage }} body={BANANAS} onPlaced={vi.fn()} />);
    fireEvent.click(screen.getByRole("button"));
    expect(second.calls[0]?.key).toBe("key-1");
  });
});
