import { BinaryReader, BinaryWriter, WireType } from "@bufbuild/protobuf/wire";
import type { MethodDefinition, ServiceDefinition } from "@grpc/grpc-js";

/**
 * `grpc.health.v1.Health` (the standard gRPC health-checking protocol, the `grpc-health-check`
 * package's health/v1/health.proto) as a gRPC service definition encoded in code, with the same
 * message shapes as that package's definition (proto-loader with `keepCase`, enums as strings,
 * defaults filled in). That package parses its .proto at import (@grpc/proto-loader and protobufjs,
 * some 2 MiB of heap in every service for five small messages); health-definition.test.ts checks
 * the bytes against it.
 */

export interface HealthCheckRequest {
  service: string;
}

/** `UNKNOWN`, `SERVING`, `NOT_SERVING`, `SERVICE_UNKNOWN` (Watch only); an unknown number as its digits, as proto-loader does. */
export interface HealthCheckResponse {
  status: string;
}

export type HealthListRequest = Record<string, never>;

export interface HealthListResponse {
  statuses: Record<string, HealthCheckResponse>;
}

const SERVING_STATUS = ["UNKNOWN", "SERVING", "NOT_SERVING", "SERVICE_UNKNOWN"] as const;

function statusNumber(status: string): number {
  const known = SERVING_STATUS.indexOf(status as (typeof SERVING_STATUS)[number]);
  if (known >= 0) return known;
  const n = Number(status);
  if (Number.isInteger(n)) return n;
  throw new TypeError(`not a grpc.health.v1 serving status: ${status}`);
}

const statusName = (n: number): string => SERVING_STATUS[n] ?? String(n);

const toBuffer = (writer: BinaryWriter): Buffer => {
  const bytes = writer.finish();
  return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
};

/** Reads every field of a message (or of `length` bytes of it), handing each to `field`, which skips what it does not know. */
function readFields(reader: BinaryReader, end: number, field: (no: number, wireType: WireType) => boolean): void {
  while (reader.pos < end) {
    const [no, wireType] = reader.tag();
    if (!field(no, wireType)) reader.skip(wireType, no);
  }
}

function writeCheckResponse(message: HealthCheckResponse, writer: BinaryWriter): BinaryWriter {
  const status = statusNumber(message.status);
  if (status !== 0) writer.uint32((1 << 3) | WireType.Varint).int32(status);
  return writer;
}

function readCheckResponse(reader: BinaryReader, end: number): HealthCheckResponse {
  let status = 0;
  readFields(reader, end, (no, wireType) => {
    if (no !== 1 || wireType !== WireType.Varint) return false;
    status = reader.int32();
    return true;
  });
  return { status: statusName(status) };
}

export const encodeCheckRequest = (message: HealthCheckRequest): Buffer => {
  const writer = new BinaryWriter();
  if (message.service !== "") writer.uint32((1 << 3) | WireType.LengthDelimited).string(message.service);
  return toBuffer(writer);
};

export function decodeCheckRequest(bytes: Uint8Array): HealthCheckRequest {
  const reader = new BinaryReader(bytes);
  let service = "";
  readFields(reader, reader.len, (no, wireType) => {
    if (no !== 1 || wireType !== WireType.LengthDelimited) return false;
    service = reader.string();
    return true;
  });
  return { service };
}

export const encodeCheckResponse = (message: HealthCheckResponse): Buffer =>
  toBuffer(writeCheckResponse(message, new BinaryWriter()));

export function decodeCheckResponse(bytes: Uint8Array): HealthCheckResponse {
  const reader = new BinaryReader(bytes);
  return readCheckResponse(reader, reader.len);
}

export const encodeListRequest = (): Buffer => Buffer.alloc(0);

export function decodeListRequest(bytes: Uint8Array): HealthListRequest {
  const reader = new BinaryReader(bytes);
  readFields(reader, reader.len, () => false);
  return {};
}

/** `map<string, HealthCheckResponse> statuses = 1`: one entry message (key 1, value 2) per name. */
export function encodeListResponse(message: HealthListResponse): Buffer {
  const writer = new BinaryWriter();
  for (const [name, response] of Object.entries(message.statuses)) {
    writer.uint32((1 << 3) | WireType.LengthDelimited).fork();
    writer.uint32((1 << 3) | WireType.LengthDelimited).string(name);
    writer.uint32((2 << 3) | WireType.LengthDelimited).fork();
    writeCheckResponse(response, writer).join();
    writer.join();
  }
  return toBuffer(writer);
}

export function decodeListResponse(bytes: Uint8Array): HealthListResponse {
  const reader = new BinaryReader(bytes);
  const statuses: Record<string, HealthCheckResponse> = {};
  readFields(reader, reader.len, (no, wireType) => {
    if (no !== 1 || wireType !== WireType.LengthDelimited) return false;
    const end = reader.uint32() + reader.pos;
    let name = "";
    let response: HealthCheckResponse = { status: "UNKNOWN" };
    readFields(reader, end, (entryNo, entryWireType) => {
      if (entryWireType !== WireType.LengthDelimited) return false;
      if (entryNo === 1) name = reader.string();
      else if (entryNo === 2) response = readCheckResponse(reader, reader.uint32() + reader.pos);
      else return false;
      return true;
    });
    statuses[name] = response;
    return true;
  });
  return { statuses };
}

const method = <Req, Res>(
  name: string,
  responseStream: boolean,
  encodeRequest: (m: Req) => Buffer,
  decodeRequest: (b: Uint8Array) => Req,
  encodeResponse: (m: Res) => Buffer,
  decodeResponse: (b: Uint8Array) => Res,
): MethodDefinition<Req, Res> => ({
  path: `/grpc.health.v1.Health/${name}`,
  requestStream: false,
  responseStream,
  requestSerialize: encodeRequest,
  requestDeserialize: (b: Buffer) => decodeRequest(b),
  responseSerialize: encodeResponse,
  responseDeserialize: (b: Buffer) => decodeResponse(b),
  originalName: name.charAt(0).toLowerCase() + name.slice(1),
});

export const healthCheckMethod = method(
  "Check",
  false,
  encodeCheckRequest,
  decodeCheckRequest,
  encodeCheckResponse,
  decodeCheckResponse,
);

/** `grpc.health.v1.Health`: Check, Watch (server streaming) and List. */
export const healthServiceDefinition: ServiceDefinition = {
  Check: healthCheckMethod,
  Watch: method("Watch", true, encodeCheckRequest, decodeCheckRequest, encodeCheckResponse, decodeCheckResponse),
  List: method("List", false, encodeListRequest, decodeListRequest, encodeListResponse, decodeListResponse),
};
