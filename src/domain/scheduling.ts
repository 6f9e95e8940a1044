// Binding pods to nodes at creation (the scheduler's part, issue 15 "Scale out"). The nodes are the
// live ones (an agent's lease on them has not expired), each with the pods bound to it now; every
// new pod goes to the least-loaded node, counting the pods placed before it, as upstream's
// scheduler scores nodes by what they already run (LeastAllocated) and spreads a ReplicaSet.

export interface NodeLoad {
  name: string;
  /** pods bound to the node now */
  pods: number;
}

/**
 * The node of each of `count` new pods, in order: the least-loaded node at its turn (ties: the
 * first by name). null for every pod when there is no node: it stays unbound until an agent binds it.
 */
export function placePods(nodes: NodeLoad[], count: number): (string | null)[] {
  const load = [...nodes].sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0)).map((n) => ({ ...n }));
  return Array.from({ length: count }, () => {
    if (load.length === 0) return null;
    const least = load.reduce((min, n) => (n.pods < min.pods ? n : min));
    least.pods += 1;
    return least.name;
  });
}
