import { useCallback, useEffect, useState } from "react";
import type { Product } from "./api/types";

export interface CartLine {
  readonly sku: string;
  readonly name: string;
  readonly priceCents: number;
  readonly currency: string;
  readonly quantity: number;
}

/** Most units of one sku in an order (the API's limit). */
export const MAX_UNITS = 100;
const KEY = "qc.cart";

function load(): CartLine[] {
  try {
    const parsed: unknown = JSON.parse(localStorage.getItem(KEY) ?? "[]");
    return Array.isArray(parsed)
      ? (parsed as CartLine[]).filter((l) => typeof l.sku === "string" && Number.isInteger(l.quantity))
      : [];
  } catch {
    return [];
  }
}

/** The cart, kept in localStorage so a reload keeps it. One currency per order: the first line's. */
export function useCart() {
  const [lines, setLines] = useState<CartLine[]>(load);
  useEffect(() => {
    localStorage.setItem(KEY, JSON.stringify(lines));
  }, [lines]);

  const add = useCallback((p: Product) => {
    setLines((ls) => {
      const existing = ls.find((l) => l.sku === p.sku);
      if (existing)
        return ls.map((l) => (l.sku === p.sku ? { ...l, quantity: Math.min(MAX_UNITS, l.quantity + 1) } : l));
      return [...ls, { sku: p.sku, name: p.name, priceCents: p.priceCents, currency: p.currency, quantity: 1 }];
    });
  }, []);
  const setQuantity = useCallback((sku: string, quantity: number) => {
    setLines((ls) =>
      quantity <= 0
        ? ls.filter((l) => l.sku !== sku)
        : ls.map((l) => (l.sku === sku ? { ...l, quantity: Math.min(MAX_UNITS, quantity) } : l)),
    );
  }, []);
  const clear = useCallback(() => setLines([]), []);
  const currency = lines[0]?.currency ?? null;
  const totalCents = lines.reduce((sum, l) => sum + l.priceCents * l.quantity, 0);
  return { lines, add, setQuantity, clear, currency, totalCents };
}

export type Cart = ReturnType<typeof useCart>;
