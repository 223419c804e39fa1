import { useEffect, useState, type FormEvent } from "react";
import { ApiError, apiFor, NetworkError } from "../api/client";
import type { AuthConfig, Role } from "../api/types";
import { describeError } from "../messages";
import { useResource } from "../hooks";
import { Link, navigate } from "../router";
import { sessionFromToken, signIn, type Session } from "../session";

/** The people of the demo data (scripts/seed.ts): who a developer signs in as. */
const PEOPLE: readonly { subject: string; role: Role; about: string }[] = [
  { subject: "alice", role: "customer", about: "customer with money" },
  { subject: "bob", role: "customer", about: "customer without money" },
  { subject: "rider-1", role: "rider", about: "a rider" },
  { subject: "admin", role: "admin", about: "operations console" },
];

const HOME: Record<Role, string> = { customer: "/", rider: "/rider", admin: "/console" };

function enter(session: Session, next: string | null) {
  signIn(session);
  navigate(next !== null && next.startsWith("/") && !next.startsWith("//") ? next : HOME[session.role], {
    replace: true,
  });
}

type Oidc = NonNullable<AuthConfig["oidc"]>;

/** Leaves for the OpenID Connect provider (oauth4webapi is loaded only now, not with the app). */
async function signInWithProvider(oidc: Oidc, next: string | null): Promise<void> {
  const { startSignIn } = await import("../oidc");
  await startSignIn(oidc, next);
}

/**
 * Sign-in: with the OpenID Connect provider when the gateway names one (GET /v1/auth/config); in
 * development "sign in as" anyone through the gateway's dev token endpoint (DEV_LOGIN=true, as under
 * `npm start`), or paste a token (`npm run token -- --sub alice --role customer`).
 */
export function SignIn({ next }: { next: string | null }) {
  const oidc = useResource(() => apiFor(null).authConfig(), []).data?.oidc ?? null;
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const [subject, setSubject] = useState("");
  const [role, setRole] = useState<Role>("customer");
  const [pasted, setPasted] = useState("");

  const signInAs = async (sub: string, r: Role) => {
    setBusy(true);
    setError(null);
    try {
      const { token } = await apiFor(null).devToken(sub, r);
      const session = sessionFromToken(token);
      if (session === null) throw new Error("the token could not be read");
      enter(session, next);
    } catch (err) {
      setError(
        err instanceof ApiError && err.status === 404
          ? "Signing in as anyone is off on this server (it needs DEV_LOGIN=true, as under npm start). Paste a token below instead."
          : describeError(err),
      );
    } finally {
      setBusy(false);
    }
  };

  const usePasted = (e: FormEvent) => {
    e.preventDefault();
    const session = sessionFromToken(pasted);
    if (session === null) setError("That is not a token of this platform (it needs sub and role).");
    else enter(session, next);
  };

  const withProvider = async (config: Oidc) => {
    setBusy(true);
    setError(null);
    try {
      await signInWithProvider(config, next);
    } catch (err) {
      setError(explain(err));
      setBusy(false);
    }
  };

  return (
    <div className="signin">
      <h1>Sign in</h1>
      {oidc !== null && (
        <section aria-labelledby="oidc-title">
          <h2 id="oidc-title">With your account</h2>
          <button type="button" disabled={busy} onClick={() => void withProvider(oidc)}>
            Sign in with {new URL(oidc.issuer).host}
          </button>
        </section>
      )}
      <section aria-labelledby="picker-title">
        <h2 id="picker-title">Sign in as…</h2>
        <p className="muted">Development sign-in: no password, anyone may be anyone.</p>
        <ul className="people">
          {PEOPLE.map((p) => (
            <li key={p.subject}>
              <button type="button" className="person" disabled={busy} onClick={() => void signInAs(p.subject, p.role)}>
                <strong>{p.subject}</strong>
                <span>{p.about}</span>
              </button>
            </li>
          ))}
        </ul>
        <form
          className="inline-form"
          onSubmit={(e) => {
            e.preventDefault();
            if (subject.trim() !== "") void signInAs(subject.trim(), role);
          }}
        >
          <label>
            Someone else <input value={subject} onChange={(e) => setSubject(e.target.value)} placeholder="rider-2" />
          </label>
          <label>
            Role
            <select value={role} onChange={(e) => setRole(e.target.value as Role)}>
              <option value="customer">customer</option>
              <option value="rider">rider</option>
              <option value="admin">admin</option>
            </select>
          </label>
          <button type="submit" disabled={busy || subject.trim() === ""}>
            Sign in
          </button>
        </form>
      </section>
      {error !== null && (
        <p className="notice notice-error" role="alert">
          {error}
        </p>
      )}
      <section aria-labelledby="paste-title">
        <h2 id="paste-title">Or use a token</h2>
        <form className="inline-form" onSubmit={usePasted}>
          <label className="grow">
            Bearer token{" "}
            <input
              value={pasted}
              onChange={(e) => setPasted(e.target.value)}
              placeholder="eyJhbGciOi…"
              autoComplete="off"
            />
          </label>
          <button type="submit" disabled={pasted.trim() === ""}>
            Use token
          </button>
        </form>
      </section>
    </div>
  );
}

/** One exchange per callback URL, however often React runs the effect (StrictMode runs it twice). */
const exchanges = new Map<string, Promise<{ session: Session; next: string | null }>>();

async function exchange(href: string): Promise<{ session: Session; next: string | null }> {
  const { oidc } = await apiFor(null).authConfig();
  if (oidc === null) throw new Error("this server has no sign-in provider configured");
  const { finishSignIn } = await import("../oidc");
  const { accessToken, next } = await finishSignIn(oidc, new URL(href));
  const session = sessionFromToken(accessToken);
  if (session === null)
    throw new Error("the provider's access token carries no role this platform knows (customer, rider, admin)");
  return { session, next };
}

/** The provider's or the exchange's own words (they are sentences), the API's as the app says them. */
const explain = (err: unknown): string =>
  err instanceof Error && !(err instanceof ApiError) && !(err instanceof NetworkError)
    ? err.message
    : describeError(err);

/** Where the provider sends the browser back: the code is exchanged (PKCE), then the app goes on. */
export function SignInCallback() {
  const [error, setError] = useState<string | null>(null);
  useEffect(() => {
    const href = location.href;
    let promise = exchanges.get(href);
    if (promise === undefined) exchanges.set(href, (promise = exchange(href)));
    let live = true;
    promise.then(
      ({ session, next }) => {
        if (live) enter(session, next);
      },
      (err: unknown) => {
        if (live) setError(explain(err));
      },
    );
    return () => {
      live = false;
    };
  }, []);
  return (
    <div className="signin">
      <h1>Signing in…</h1>
      {error === null ? (
        <p className="muted" role="status">
          Checking your sign-in with the provider.
        </p>
      ) : (
        <p className="notice notice-error" role="alert">
          Sign-in did not complete: {error} <Link to="/signin">Try again</Link>.
        </p>
      )}
    </div>
  );
}
