import { describe, expect, it } from "vitest";
import { freePorts } from "./ports";

describe("freePorts", () => {
  it("never returns a port promised to a process that has not bound it yet", async () => {
    // Thousands of ports that were free a moment ago, as a caller would have promised them: the OS
    // hands such ports out again, so without the exclusion some of the next picks land among them.
    const promised = await freePorts(3_000);
    const picked = await freePorts(40, promised);
    expect(picked).toHaveLength(40);
    expect(new Set(picked).size).toBe(40);
    expect(picked.filter((p) => promised.includes(p))).toEqual([]);
  });
});
