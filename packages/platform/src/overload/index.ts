/** `@qc/platform/overload`: request deadlines, retry budgets, adaptive concurrency limits. */
export * from "./deadline";
export * from "./retry-budget";
export * from "./concurrency-limit";
