import type { Session } from "../session";
import { BreakersPanel } from "./BreakersPanel";
import { DeadLettersPanel } from "./DeadLettersPanel";
import { OrdersPanel } from "./OrdersPanel";
import { ProductsPanel } from "./ProductsPanel";
import { RidersPanel } from "./RidersPanel";
import { WalletsPanel } from "./WalletsPanel";

/** The operations console: everything an operator watches and the few things they may do, on one page. */
export default function Console({ session }: { session: Session }) {
  return (
    <div className="console">
      <h1>Operations console</h1>
      <nav aria-label="Console sections" className="console-nav">
        <a href="#breakers">Circuit breakers</a>
        <a href="#orders">Orders</a>
        <a href="#dead-letters">Dead letters</a>
        <a href="#riders">Riders</a>
        <a href="#products">Products</a>
        <a href="#wallets">Wallets</a>
      </nav>
      <div className="console-grid">
        <BreakersPanel session={session} />
        <DeadLettersPanel session={session} />
        <OrdersPanel session={session} />
        <RidersPanel session={session} />
        <ProductsPanel session={session} />
        <WalletsPanel session={session} />
      </div>
    </div>
  );
}
