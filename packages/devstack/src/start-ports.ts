import type { ServiceName } from "./service-process";

/** Where `npm start` runs each service by default, as in deploy/ (Docker Compose, Kubernetes). */
export const DEFAULT_PORTS: Readonly<Record<ServiceName, number>> = {
  gateway: 8080,
  order: 50051,
  inventory: 50052,
  payment: 50053,
  rider: 50054,
};
/** Each service's Prometheus `/metrics` by default, as in deploy/. */
export const DEFAULT_METRICS_PORTS: Readonly<Record<ServiceName, number>> = {
  gateway: 9460,
  order: 9461,
  inventory: 9462,
  payment: 9463,
  rider: 9464,
};
/** A service moved off its default port serves its metrics this much above it, unless told otherwise. */
export const METRICS_PORT_OFFSET = 1000;

const SERVICES = Object.keys(DEFAULT_PORTS) as ServiceName[];

export interface StartPorts {
  readonly ports: Record<ServiceName, number>;
  /** `0`: a free port the service picks; `-1`: no metrics endpoint. */
  readonly metricsPorts: Record<ServiceName, number>;
}

/**
 * `npm start`'s ports, all from the environment: `<SERVICE>_PORT` (default `DEFAULT_PORTS`) and
 * `<SERVICE>_METRICS_PORT`, whose default is the deploy/ port (9460–9464) while the service keeps its
 * default port, and the service's port + 1000 once it is moved — so a second copy started on other
 * service ports (`GATEWAY_PORT=8081 ORDER_PORT=50061 …`) does not collide on the metrics ports either.
 * A value that is not a port stops the start with a message naming the variable.
 */
export function startPortsFromEnv(env: NodeJS.ProcessEnv): StartPorts {
  const read = (name: string, min: number): number | undefined => {
    const raw = env[name];
    if (raw === undefined || raw.trim() === "") return undefined;
    const value = Number(raw);
    if (!Number.isInteger(value) || value < min || value > 65_535) {
      throw new Error(
        `${name}=${raw}: expected a port number${min < 1 ? ` (${min === 0 ? "0: any free port" : "0: any free port, -1: none"})` : ""} up to 65535`,
      );
    }
    return value;
  };
  const ports = {} as Record<ServiceName, number>;
  const metricsPorts = {} as Record<ServiceName, number>;
  for (const name of SERVICES) {
    const upper = name.toUpperCase();
    const port = read(`${upper}_PORT`, 1) ?? DEFAULT_PORTS[name];
    ports[name] = port;
    const moved = port === DEFAULT_PORTS[name] ? DEFAULT_METRICS_PORTS[name] : port + METRICS_PORT_OFFSET;
    if (moved > 65_535 && env[`${upper}_METRICS_PORT`] === undefined) {
      throw new Error(`${upper}_PORT=${port}: its metrics port would be ${moved}; set ${upper}_METRICS_PORT`);
    }
    metricsPorts[name] = read(`${upper}_METRICS_PORT`, -1) ?? moved;
  }
  const taken = new Map<number, string>();
  for (const name of SERVICES) {
    for (const [port, what] of [
      [ports[name], `${name.toUpperCase()}_PORT`],
      [metricsPorts[name], `${name.toUpperCase()}_METRICS_PORT`],
    ] as const) {
      if (port <= 0) continue;
      const other = taken.get(port);
      if (other) throw new Error(`${what} and ${other} are both ${port}`);
      taken.set(port, what);
    }
  }
  return { ports, metricsPorts };
}
