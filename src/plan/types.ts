import type { Identity } from '../identity/derive.js';
import type { NodeNeeds } from '../longhorn/needs.js';
import type { NodeOptions } from '../longhorn/options.js';
import type { LonghornVersion } from '../longhorn/versions.js';
import type { TalosDocument } from '../talos/documents.js';
import type { Schematic } from '../talos/schematic.js';
import type { TalosVersion } from '../talos/versions.js';

/** One node of a plan: its name, optionally its identity, and overrides of the defaults. */
export interface PlanNode extends NodeOptions {
  /** Lower-case DNS-like name; the generated files are `<name>.patch.yaml` and `<name>.identity.json`. */
  readonly name: string;
  /** The node's machine-id (32 hex characters), when known. */
  readonly machineId?: string;
  /** The node identity (base62), when known; give at most one of machineId and nodeId. */
  readonly nodeId?: string;
}

/** A cluster plan as written in a plan file (`schemas/plan.schema.json`). */
export interface Plan {
  /** Talos version the patches target (default: the project's default version). */
  readonly talosVersion?: string;
  /** Longhorn minor the Helm values and Node patches target, `"1.10"` or `"1.10.2"` (default: the newest supported). */
  readonly longhornVersion?: string;
  /**
   * Talos version whose `gen config` created the nodes' machine configuration (default: the
   * target). Decides the form of node labels and annotations on 1.14 (see `nodeMetadataForm`).
   */
  readonly configOrigin?: string;
  /** Official extensions besides the ones Longhorn needs. */
  readonly extensions?: readonly string[];
  /** Kernel arguments for the schematic, in order. */
  readonly extraKernelArgs?: readonly string[];
  /** Node options every node starts from. */
  readonly defaults?: NodeOptions;
  readonly nodes: readonly PlanNode[];
}

/** One node of a resolved plan: its merged options, needs, Talos documents and identity. */
export interface ResolvedNode {
  readonly name: string;
  /** The defaults with the node's overrides applied. */
  readonly options: NodeOptions;
  readonly needs: NodeNeeds;
  /** The Talos documents expressing the needs for the plan's Talos version. */
  readonly documents: readonly TalosDocument[];
  /** Present when the plan gave a machineId or nodeId. */
  readonly identity?: Identity;
}

/**
 * A plan with everything decided (`resolvePlan`): versions, installer tag, schematic and its ID,
 * and every node resolved. What `renderClusterFiles` and `writeClusterFiles` take.
 */
export interface ResolvedPlan {
  readonly talosVersion: TalosVersion;
  readonly longhornVersion: LonghornVersion;
  /** True when the plan did not name a Longhorn version (the summary says the default was used). */
  readonly longhornVersionDefaulted: boolean;
  /** The installer tag to reference, and whether it came from our facts (no patch level given). */
  readonly installer: { readonly tag: string; readonly fromFacts: boolean };
  readonly configOrigin: TalosVersion;
  readonly schematic: Schematic;
  readonly schematicId: string;
  readonly nodes: readonly ResolvedNode[];
}
