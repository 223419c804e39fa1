import { Type } from "typebox";
import { roles, subjectPattern } from "../auth/principal";

export const DevTokenBodySchema = Type.Object(
  {
    subject: Type.String({
      pattern: subjectPattern,
      description: "the token's sub: a customer's or rider's id (alice, bob, rider-1) or any admin name",
    }),
    role: Type.Enum([...roles], { type: "string" }),
  },
  { additionalProperties: false },
);

export const DevTokenSchema = Type.Object({
  token: Type.String({ description: "a bearer token (HS256, signed with JWT_SECRET) for the subject and role" }),
});
