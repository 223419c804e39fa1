import { afterAll, describe, expect, it } from "vitest";
import { forSuite } from "./suite";

/** A class with a private field: its methods work only when called on the instance itself. */
class Started {
  readonly #name: string;
  constructor(
    name: string,
    readonly close: () => Promise<void>,
  ) {
    this.#name = name;
  }
  get name(): string {
    return this.#name;
  }
  greet(): string {
    return `hello from ${this.#name}`;
  }
}

describe("forSuite", () => {
  const events: string[] = [];
  afterAll(() => {
    // The inner suite's afterAll has run: started once, closed once.
    expect(events).toEqual(["start", "close"]);
  });

  describe("a suite that starts something", () => {
    const thing = forSuite(async () => {
      events.push("start");
      return new Started("started", async () => {
        events.push("close");
      });
    });

    it("has started it before the first test, and stands in for it (methods bound to it)", () => {
      expect(thing.name).toBe("started");
      expect(thing.greet()).toBe("hello from started");
      expect(events).toEqual(["start"]);
    });

    it("keeps the same one for every test of the suite", () => {
      expect(events).toEqual(["start"]);
    });
  });

  describe("a suite that reads it too early", () => {
    const early = forSuite(async () => ({ value: 1, close: async () => undefined }));
    let message = "";
    try {
      void early.value; // while the suite is collected, before its beforeAll
    } catch (err) {
      message = (err as Error).message;
    }

    it("was told to read it inside a test", () => {
      expect(message).toMatch(/inside a test/);
      expect(early.value).toBe(1);
    });
  });
});
