// A trained network as bytes (no file I/O here: the CLI writes and reads them). Layout, little-endian:
//   0   "BNLABMDL" (8 bytes)
//   8   u32 format version (1)
//   12  u32 header length H
//   16  header: UTF-8 JSON {dtype, kernel, net, averagesReady, tensors: [{name, layer, length}], extra}
//       then zero padding to a multiple of 8
//   …   every tensor in header order, as float32 or float64 per dtype
//   end u32 CRC-32 of everything before it
// The tensors are every parameter (W, b, γ, β) and the batch-norm moving averages; `extra` is the
// caller's JSON (training configuration, data normalisation statistics, …).
import type { DType, Kernel } from './kernel.js';
import { createNetwork, parameterTensors, validateNetConfig, type NetConfig, type Network } from './network.js';

const MAGIC = 'BNLABMDL';
const FORMAT_VERSION = 1;

export interface ModelTensor {
  name: string;
  layer: number;
  data: Float32Array | Float64Array;
}

export interface Model {
  dtype: DType;
  /** The kernel that trained it. */
  kernel: string;
  net: NetConfig;
  averagesReady: boolean;
  tensors: ModelTensor[];
  extra: unknown;
}

export function serializeModel(net: Network, extra: unknown = null): Uint8Array {
  const dtype = net.kernel.dtype;
  const size = dtype === 'f64' ? 8 : 4;
  const tensors = parameterTensors(net);
  const header = new TextEncoder().encode(JSON.stringify({
    dtype,
    kernel: net.kernel.id,
    net: net.config,
    averagesReady: net.averagesReady,
    tensors: tensors.map((t) => ({ name: t.name, layer: t.layer, length: t.data.length })),
    extra,
  }));
  const dataStart = align8(16 + header.length);
  const total = dataStart + size * tensors.reduce((s, t) => s + t.data.length, 0) + 4;
  const bytes = new Uint8Array(total);
  const view = new DataView(bytes.buffer);
  for (let i = 0; i < MAGIC.length; i++) bytes[i] = MAGIC.charCodeAt(i);
  view.setUint32(8, FORMAT_VERSION, true);
  view.setUint32(12, header.length, true);
  bytes.set(header, 16);
  let o = dataStart;
  for (const t of tensors) {
    for (let i = 0; i < t.data.length; i++, o += size) {
      if (size === 8) view.setFloat64(o, t.data[i], true);
      else view.setFloat32(o, t.data[i], true);
    }
  }
  view.setUint32(o, crc32(bytes, o), true);
  return bytes;
}

/** Parses and checks a serialised model; throws an Error saying what is wrong with the bytes. */
export function deserializeModel(bytes: Uint8Array): Model {
  const fail = (why: string): never => {
    throw new Error(`model: ${why}`);
  };
  if (bytes.length < 20) fail(`${bytes.length} bytes is too short to be a bnlab model`);
  for (let i = 0; i < MAGIC.length; i++) if (bytes[i] !== MAGIC.charCodeAt(i)) fail('not a bnlab model (no BNLABMDL signature)');
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const version = view.getUint32(8, true);
  if (version !== FORMAT_VERSION) fail(`format version ${version} is not supported (this engine reads version ${FORMAT_VERSION})`);
  const headerLength = view.getUint32(12, true);
  if (16 + headerLength + 4 > bytes.length) fail(`truncated: the header needs ${16 + headerLength + 4} bytes, the data has ${bytes.length}`);
  let header: { dtype?: unknown; kernel?: unknown; net?: NetConfig; averagesReady?: unknown; tensors?: { name: string; layer: number; length: number }[]; extra?: unknown };
  try {
    header = JSON.parse(new TextDecoder('utf-8', { fatal: true }).decode(bytes.subarray(16, 16 + headerLength)));
  } catch (err) {
    return fail(`corrupt header (${err instanceof Error ? err.message : String(err)})`);
  }
  const { dtype, tensors } = header;
  if (dtype !== 'f32' && dtype !== 'f64') return fail(`header dtype ${JSON.stringify(dtype)} is neither f32 nor f64`);
  if (!Array.isArray(tensors) || !header.net || typeof header.kernel !== 'string') return fail('header lacks tensors, net or kernel');
  for (const t of tensors) {
    if (typeof t?.name !== 'string' || !Number.isInteger(t.layer) || !Number.isSafeInteger(t.length) || t.length < 0) {
      fail(`header: bad tensor entry ${JSON.stringify(t)}`);
    }
  }
  const size = dtype === 'f64' ? 8 : 4;
  const dataStart = align8(16 + headerLength);
  const expected = dataStart + size * tensors.reduce((s, t) => s + t.length, 0) + 4;
  if (bytes.length < expected) fail(`truncated: ${bytes.length} bytes, the header describes ${expected}`);
  if (bytes.length > expected) fail(`${bytes.length - expected} unexpected bytes after the end`);
  const stored = view.getUint32(expected - 4, true);
  const actual = crc32(bytes, expected - 4);
  if (stored !== actual) fail(`corrupt: checksum ${hex(actual)} does not match the stored ${hex(stored)}`);

  try {
    validateNetConfig(header.net);
  } catch (err) {
    return fail(`header: ${(err as Error).message}`);
  }
  let o = dataStart;
  const out: ModelTensor[] = tensors.map((t) => {
    const data = dtype === 'f64' ? new Float64Array(t.length) : new Float32Array(t.length);
    for (let i = 0; i < t.length; i++, o += size) data[i] = size === 8 ? view.getFloat64(o, true) : view.getFloat32(o, true);
    return { name: t.name, layer: t.layer, data };
  });
  return { dtype, kernel: header.kernel, net: header.net, averagesReady: header.averagesReady === true, tensors: out, extra: header.extra ?? null };
}

/**
 * A network on `kernel` holding the model's parameters. A kernel of the other dtype gets converted
 * values (f64 → f32 rounds).
 */
export function loadNetwork(kernel: Kernel, model: Model): Network {
  const net = createNetwork(kernel, model.net);
  const targets = parameterTensors(net);
  const describe = (ts: { name: string; layer: number; data: { length: number } }[]) => ts.map((t) => `${t.name}${t.layer}[${t.data.length}]`).join(' ');
  if (describe(targets) !== describe(model.tensors)) {
    throw new Error(`model: its tensors (${describe(model.tensors)}) do not fit its network (${describe(targets)})`);
  }
  targets.forEach((t, i) => t.data.set(model.tensors[i].data));
  net.averagesReady = model.averagesReady;
  return net;
}

function align8(n: number): number {
  return Math.ceil(n / 8) * 8;
}

function hex(n: number): string {
  return n.toString(16).padStart(8, '0');
}

let crcTable: Uint32Array | null = null;
/** CRC-32 (IEEE 802.3, reflected polynomial 0xEDB88320) of bytes[0, end). */
export function crc32(bytes: Uint8Array, end = bytes.length): number {
  if (crcTable === null) {
    crcTable = new Uint32Array(256);
    for (let n = 0; n < 256; n++) {
      let c = n;
      for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
      crcTable[n] = c >>> 0;
    }
  }
  let c = 0xffffffff;
  for (let i = 0; i < end; i++) c = crcTable[(c ^ bytes[i]) & 0xff] ^ (c >>> 8);
  return (c ^ 0xffffffff) >>> 0;
}
