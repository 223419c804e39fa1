import { cleanup, render, screen } from "@testing-library/react";
import { afterEach, describe, expect, it, vi } from "vitest";
import type { AuthConfig } from "../api/types";
import { SignIn, SignInCallback } from "./SignIn";

afterEach(() => {
  cleanup();
  vi.unstubAllGlobals();
  sessionStorage.clear();
});

const withAuthConfig = (config: AuthConfig) =>
  vi.stubGlobal(
    "fetch",
    vi.fn(
      async () =>
        new Response(JSON.stringify(config), { status: 200, headers: { "content-type": "application/json" } }),
    ),
  );

describe("sign-in with an OpenID Connect provider", () => {
  it("offers the provider the gateway names", async () => {
    withAuthConfig({ oidc: { issuer: "https://id.example.com/realms/qc", clientId: "qc-web", scope: "openid" } });
    render(<SignIn next={null} />);
    expect(await screen.findByRole("button", { name: "Sign in with id.example.com" })).toBeTruthy();
    // The development picker stays beside it.
    expect(screen.getByRole("button", { name: /^alice/ })).toBeTruthy();
  });

  it("offers no provider when none is configured", async () => {
    withAuthConfig({ oidc: null });
    render(<SignIn next={null} />);
    await screen.findByRole("button", { name: /^alice/ });
    await new Promise((r) => setTimeout(r, 50));
    expect(screen.queryByRole("button", { name: /^Sign in with/ })).toBeNull();
  });

  it("says plainly when the provider sends back a browser that started no sign-in in this tab", async () => {
    withAuthConfig({ oidc: { issuer: "https://id.example.com", clientId: "qc-web", scope: "openid" } });
    render(<SignInCallback />);
    const alert = await screen.findByRole("alert");
    expect(alert.textContent).toContain("no sign-in was started in this tab");
    expect(screen.getByRole("link", { name: "Try again" }).getAttribute("href")).toBe("/signin");
  });
});
