import type { orderV1 } from "@qc/contracts";
import type { Static } from "typebox";
import type { DeadLetterSchema } from "./admin.schema";

export const toDeadLetterView = (d: orderV1.DeadLetter): Static<typeof DeadLetterSchema> => ({
  id: d.id,
  orderId: d.orderId,
  step: d.step,
  error: d.error,
  attempts: d.attempts,
  status: d.status,
  createdAt: d.createdAt,
  updatedAt: d.updatedAt,
  ...(d.nextAttemptAt !== "" && { nextAttemptAt: d.nextAttemptAt }),
});
