import { Type } from "typebox";

export const AuthConfigSchema = Type.Object({
  oidc: Type.Union(
    [
      Type.Object({
        issuer: Type.String({
          description: "the provider's issuer URL (its discovery document is under /.well-known/openid-configuration)",
        }),
        clientId: Type.String({
          description: "the web app's client id at the provider (a public client: PKCE, no secret)",
        }),
        scope: Type.String({ description: "the scopes to ask for" }),
        resource: Type.Optional(Type.String({ description: "the resource indicator (RFC 8707) to ask a token for" })),
      }),
      Type.Null(),
    ],
    {
      description: "sign-in with an OpenID Connect provider (Authorization Code + PKCE); null when none is configured",
    },
  ),
});
