import { invalidInput } from '../errors.js';

/** What preflight reads from a Kubernetes Node (`kubectl get node NAME -o json`). */
export interface KubeNodeFact {
  /** `metadata.name`. */
  readonly name: string;
  /** `status.capacity["hugepages-2Mi"]` in bytes; 0 when the node reports none. */
  readonly hugepages2MiBytes: number;
}

const BINARY_SUFFIX: Readonly<Record<string, number>> = {
  Ki: 2 ** 10,
  Mi: 2 ** 20,
  Gi: 2 ** 30,
  Ti: 2 ** 40,
  Pi: 2 ** 50,
  Ei: 2 ** 60,
};
const DECIMAL_SUFFIX: Readonly<Record<string, number>> = {
  '': 1,
  k: 1e3,
  M: 1e6,
  G: 1e9,
  T: 1e12,
  P: 1e15,
  E: 1e18,
};

/**
 * A Kubernetes resource quantity (`2Gi`, `2048Mi`, `2147483648`, `1.5G`) in whole units. The
 * milli suffix and exponents are refused: a capacity of huge pages is never written that way.
 */
export function parseQuantity(text: string, field: string): number {
  const match = /^(\d{1,19})(?:\.(\d{1,9}))?(Ki|Mi|Gi|Ti|Pi|Ei|k|M|G|T|P|E)?$/.exec(text);
  if (match === null) {
    throw invalidInput(
      field,
      `${JSON.stringify(text)} is not a Kubernetes quantity; expected e.g. 2Gi, 2048Mi or 2147483648`,
    );
  }
  const suffix = match[3] ?? '';
  const scale = BINARY_SUFFIX[suffix] ?? DECIMAL_SUFFIX[suffix] ?? 1;
  const value = Number(`${match[1]}.${match[2] ?? '0'}`) * scale;
  if (!Number.isSafeInteger(Math.round(value))) {
    throw invalidInput(field, `${text} is out of range`);
  }
  return Math.round(value);
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** A Kubernetes Node object as JSON → its name and huge-page capacity. */
export function parseKubeNode(value: unknown, field: string): KubeNodeFact {
  if (!isObject(value) || value.kind !== 'Node') {
    throw invalidInput(field, 'expected a Kubernetes Node object (kubectl get node NAME -o json)');
  }
  const metadata = value.metadata;
  const name = isObject(metadata) ? metadata.name : undefined;
  if (typeof name !== 'string' || name === '') {
    throw invalidInput(field, 'metadata.name is missing; expected a Kubernetes Node object');
  }
  const status = value.status;
  const capacity = isObject(status) ? status.capacity : undefined;
  if (!isObject(capacity)) {
    throw invalidInput(field, `status.capacity of node ${name} is missing`);
  }
  const pages = capacity['hugepages-2Mi'];
  if (pages === undefined) return { name, hugepages2MiBytes: 0 };
  if (typeof pages !== 'string') {
    throw invalidInput(field, `status.capacity["hugepages-2Mi"] of node ${name} is not a quantity`);
  }
  return { name, hugepages2MiBytes: parseQuantity(pages, field) };
}
