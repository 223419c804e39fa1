import { lazy, Suspense, type ReactNode } from "react";
import type { Role } from "./api/types";
import { useCart } from "./cart";
import { ConnectivityBanner } from "./components/Notice";
import { OrderPage } from "./pages/OrderPage";
import { Orders } from "./pages/Orders";
import { SignIn, SignInCallback } from "./pages/SignIn";
import { Storefront } from "./pages/Storefront";
import { Link, navigate, useLocation } from "./router";
import { signOut, useSession, type Session } from "./session";

// Riders and operators load their screens on demand: a customer's first load carries the shop only.
const RiderView = lazy(() => import("./pages/Rider"));
const Console = lazy(() => import("./console/Console"));

export function App() {
  const session = useSession();
  const cart = useCart();
  const { path, query } = useLocation();
  const cartCount = cart.lines.reduce((n, l) => n + l.quantity, 0);

  const needs = (roles: readonly Role[], page: (s: Session) => ReactNode): ReactNode => {
    if (session === null) return <SignIn next={path} />;
    if (!roles.includes(session.role)) {
      return (
        <div className="notice">
          This page is for {roles.join(" or ")} accounts; you are signed in as {session.subject} ({session.role}).{" "}
          <Link to={`/signin?next=${encodeURIComponent(path)}`}>Sign in as someone else</Link>.
        </div>
      );
    }
    return page(session);
  };

  let page: ReactNode;
  const orderMatch = /^\/orders\/([^/]+)$/.exec(path);
  if (path === "/") page = <Storefront session={session} cart={cart} />;
  else if (path === "/signin") page = <SignIn next={query.get("next")} />;
  else if (path === "/signin/callback") page = <SignInCallback />;
  else if (path === "/orders") page = needs(["customer"], (s) => <Orders session={s} />);
  else if (orderMatch?.[1] !== undefined) {
    const id = decodeURIComponent(orderMatch[1]);
    page = needs(["customer", "admin"], (s) => <OrderPage key={id} id={id} session={s} />);
  } else if (path === "/rider") page = needs(["rider"], (s) => <RiderView session={s} />);
  else if (path === "/console") page = needs(["admin"], (s) => <Console session={s} />);
  else
    page = (
      <div>
        <h1>Page not found</h1>
        <p>
          <Link to="/">Back to the shop</Link>
        </p>
      </div>
    );

  return (
    <>
      <a href="#main" className="skip-link">
        Skip to content
      </a>
      <header className="topbar">
        <Link to="/" className="brand">
          quick<span>commerce</span>
        </Link>
        <nav aria-label="Main">
          <Link to="/" aria-current={path === "/" ? "page" : undefined}>
            Shop{cartCount > 0 ? ` (${cartCount})` : ""}
          </Link>
          {session?.role === "customer" && (
            <Link to="/orders" aria-current={path === "/orders" ? "page" : undefined}>
              Orders
            </Link>
          )}
          {session?.role === "rider" && (
            <Link to="/rider" aria-current={path === "/rider" ? "page" : undefined}>
              Deliveries
            </Link>
          )}
          {session?.role === "admin" && (
            <Link to="/console" aria-current={path === "/console" ? "page" : undefined}>
              Console
            </Link>
          )}
        </nav>
        <div className="who">
          {session === null ? (
            <Link to="/signin">Sign in</Link>
          ) : (
            <>
              <span data-testid="who">
                {session.subject} <span className="muted">({session.role})</span>
              </span>
              <button
                type="button"
                className="link"
                onClick={() => {
                  signOut();
                  navigate("/signin");
                }}
              >
                Sign out
              </button>
            </>
          )}
        </div>
      </header>
      <ConnectivityBanner />
      <main id="main">
        <Suspense fallback={<p className="muted">Loading…</p>}>{page}</Suspense>
      </main>
    </>
  );
}
