import type { ChannelOptions } from "@grpc/grpc-js";

/** `host:port`, or IPv4 `host:port` addresses separated by commas (replicas of one service). */
const SINGLE = /^[^\s:,]+:\d{1,5}$/;
const IPV4 = /^(?:\d{1,3}\.){3}\d{1,3}:\d{1,5}$/;

/** True for a comma-separated list of two or more IPv4 `host:port` addresses. */
export function isAddressList(address: string): boolean {
  const parts = address.split(",");
  return parts.length > 1 && parts.every((p) => IPV4.test(p));
}

/** True for what `channelTarget` accepts: one `host:port`, or a list of IPv4 ones. */
export const isChannelAddress = (address: string): boolean => SINGLE.test(address) || isAddressList(address);

/**
 * The grpc-js target and channel options for an address. One `host:port` is used as is (resolved by
 * DNS, as before). A list `127.0.0.1:50051,127.0.0.1:50061` becomes one channel over every replica:
 * the `ipv4:` target (grpc-js's static resolver, which takes comma-separated IP literals) with the
 * `round_robin` policy, so calls take turns over the replicas that are connected and a replica that
 * is down is skipped while its subchannel reconnects.
 */
export function channelTarget(address: string): { readonly target: string; readonly options: ChannelOptions } {
  if (!isAddressList(address)) return { target: address, options: {} };
  return {
    target: `ipv4:${address}`,
    options: { "grpc.service_config": JSON.stringify({ loadBalancingConfig: [{ round_robin: {} }] }) },
  };
}
