// A validation rule that refuses, before execution, documents whose result could grow beyond what
// the data justifies. Without it `pods(first: 500) { edges { node { owner { pods { owner { pods … } } } } } }`
// walks the Deployment → ReplicaSet → Pod tree up and down again, and the result grows as
// pods^depth. The rule enforces, per operation:
//
// 1. Tree walk. Along any path of selections (through inline fragments and fragment spreads), each
//    of the object types Deployment, ReplicaSet and Pod may appear once. A type is entered where a
//    field's named return type is one of them, or where a type condition narrows an interface or
//    union (Node, Resource) to one of them: `node(id:) { ... on Pod { … } }`,
//    `watch { object { ... on ReplicaSet { … } } }`. So Pod.owner.pods, ReplicaSet.owner.replicaSets
//    and Deployment.history.replicaSet.owner.replicaSets are refused; going down
//    (deployments.replicaSets.pods) or up (pod.owner.owner) is not. WatchEvent, RolloutRevision and
//    the other types may repeat freely.
//    One exception (on by default; `backReferences: false` turns it off): a type may appear again
//    when the path reaches it through single-object fields only since the tree type before it,
//    i.e. a back-reference up the tree such as `replicaSets { owner { metadata { name } } }`, or a
//    pod's `owner` under its ReplicaSet; below such a repeat, every step into one of the three
//    types must be single-object too (Deployment.replicaSets.owner.history.replicaSet is refused).
//    An object has at most one owner, so a back-reference adds at most one object per object
//    already in the result, never a list: the result stays linear in the data, where walking down
//    again multiplies it. (test/e2e/read-api.test.ts reads
//    `deployment { replicaSets { owner { metadata { name } } } }`, a back-reference.)
// 2. Depth. At most MAX_SELECTION_DEPTH fields nested along any path (a leaf field counts, inline
//    fragments and spreads do not). The deepest query the clients and tests send is 7 deep
//    (`deployment.replicaSets.spec.template.spec.containers.name`); the introspection query of
//    graphql 16 (`getIntrospectionQuery()`, what GraphiQL sends) is exactly 15 deep.
// 3. Size. At most MAX_FIELD_SELECTIONS field selections once fragments are expanded (each spread
//    counts its fragment's fields again; @skip/@include are not evaluated), so fragments spreading
//    each other many times cannot blow up validation or execution (the largest document the tests
//    send has under 100). The count is memoized per fragment: linear in the document, whatever the
//    expansion would be.
// 4. Cost. The number of field values the operation can resolve, known before execution: each
//    field costs 1 times the size of every list above it. A field with a `first`, `last` or `limit`
//    argument (a page or a nested list) multiplies what is under it by that argument: its literal
//    value, else its default (DEFAULT_PAGE for `first`), else, when it is a variable, the largest
//    value it may take (MAX_LIST_SIZE). Other lists (containers, conditions, history) are bounded by
//    the objects' own limits and count once. At most MAX_QUERY_COST: 300 aliases of
//    `deployment { replicaSets { pods { metadata { name } } } }` (1,800 fields, under rule 3) cost
//    1.2 million and are refused in milliseconds, where executing them ran the server out of memory
//    (issue 10 §2). The count is memoized per fragment like rule 3's.
//
// Fragment cycles: the count cuts a spread back into a fragment being counted, and an operation
// that reaches a cycle is left to the standard NoFragmentCycles rule (rules 1 and 2 are skipped for
// it). The walk of rules 1 and 2 visits each fragment at most once per distinct entry state, so it
// stays small whatever the fan-out. Errors are GraphQLErrors with the offending node; the server
// gives validation errors extensions.code BAD_USER_INPUT.
import {
  GraphQLError,
  Kind,
  SchemaMetaFieldDef,
  TypeMetaFieldDef,
  TypeNameMetaFieldDef,
  getNamedType,
  getNullableType,
  isAbstractType,
  isCompositeType,
  isInterfaceType,
  isListType,
  isObjectType,
  type ASTNode,
  type ASTVisitor,
  type FieldNode,
  type GraphQLCompositeType,
  type GraphQLField,
  type GraphQLNamedType,
  type GraphQLOutputType,
  type GraphQLSchema,
  type OperationDefinitionNode,
  type SelectionSetNode,
  type ValidationContext,
  type ValidationRule,
} from "graphql";
import { DEFAULT_PAGE, MAX_PAGE } from "./list.ts";
import { MAX_NESTED_LIMIT } from "./nested-lists.ts";

/** The object types of the ownership tree; each may appear once along a path (rule 1). */
export const TREE_TYPES = ["Deployment", "ReplicaSet", "Pod"] as const;
/** Fields nested along any path, leaf included (rule 2). */
export const MAX_SELECTION_DEPTH = 15;
/** Field selections of an operation once its fragments are expanded (rule 3). */
export const MAX_FIELD_SELECTIONS = 2000;
/** Field values an operation may resolve, lists multiplied out (rule 4). */
export const MAX_QUERY_COST = 100_000;
/** The list-size arguments rule 4 multiplies by, with the default when absent and no schema default. */
const LIST_SIZE_ARGUMENTS: ReadonlyMap<string, number> = new Map([
  ["first", DEFAULT_PAGE],
  ["last", DEFAULT_PAGE],
  ["limit", MAX_NESTED_LIMIT],
]);
/** The largest value a list-size argument may take (`first` and `limit` share it). */
export const MAX_LIST_SIZE = Math.max(MAX_PAGE, MAX_NESTED_LIMIT);

export interface QueryShapeLimitsOptions {
  /** default MAX_SELECTION_DEPTH */
  maxDepth?: number;
  /** default MAX_FIELD_SELECTIONS */
  maxFields?: number;
  /** allow a single-object back-reference to repeat a tree type (rule 1's exception); default true */
  backReferences?: boolean;
  /** default MAX_QUERY_COST */
  maxCost?: number;
}

const TREE_BIT: ReadonlyMap<string, number> = new Map(TREE_TYPES.map((name, i) => [name, 1 << i]));
const TREE_LIST = TREE_TYPES.join(", ").replace(/, (?=[^,]*$)/, " and ");

interface Count {
  fields: number;
  /** the count cut a spread back into a fragment being counted */
  cyclic: boolean;
}

interface WalkState {
  /** the type the selections apply to: the concrete type when known, else the interface or union */
  parent: GraphQLCompositeType;
  depth: number;
  /** the field names from the operation's root */
  path: string;
  /** TREE_BIT of every tree type entered along the path */
  seen: number;
  /** a list-returning field since the last tree type entered (or since the root) */
  listSinceTree: boolean;
  /** a tree type has appeared again along the path (through a back-reference) */
  repeated: boolean;
}

function returnsList(type: GraphQLOutputType): boolean {
  return isListType(getNullableType(type));
}

function fieldDef(schema: GraphQLSchema, parent: GraphQLCompositeType, name: string): GraphQLField<unknown, unknown> | undefined {
  if (name === TypeNameMetaFieldDef.name) return TypeNameMetaFieldDef;
  if (parent === schema.getQueryType()) {
    if (name === SchemaMetaFieldDef.name) return SchemaMetaFieldDef;
    if (name === TypeMetaFieldDef.name) return TypeMetaFieldDef;
  }
  if (isObjectType(parent) || isInterfaceType(parent)) return parent.getFields()[name];
  return undefined;
}

function formatCount(n: number): string {
  return n < 1e9 ? String(n) : n.toExponential(2);
}

/** The rule with other limits, or with rule 1's back-reference exception turned off. */
export function createQueryShapeLimits(options: QueryShapeLimitsOptions = {}): ValidationRule {
  const maxDepth = options.maxDepth ?? MAX_SELECTION_DEPTH;
  const maxFields = options.maxFields ?? MAX_FIELD_SELECTIONS;
  const backReferences = options.backReferences ?? true;
  const maxCost = options.maxCost ?? MAX_QUERY_COST;

  return function QueryShapeLimits(context: ValidationContext): ASTVisitor {
    const schema = context.getSchema();

    // Rule 3: field selections after fragment expansion, memoized per fragment.
    const fragmentCounts = new Map<string, Count>();
    const counting = new Set<string>();

    function countFragment(name: string): Count {
      const known = fragmentCounts.get(name);
      if (known) return known;
      if (counting.has(name)) return { fields: 0, cyclic: true };
      const fragment = context.getFragment(name);
      if (!fragment) return { fields: 0, cyclic: false }; // KnownFragmentNames reports it
      counting.add(name);
      const count = countSet(fragment.selectionSet);
      counting.delete(name);
      fragmentCounts.set(name, count);
      return count;
    }

    function countSet(set: SelectionSetNode): Count {
      let fields = 0;
      let cyclic = false;
      for (const selection of set.selections) {
        let inner: Count | undefined;
        if (selection.kind === Kind.FIELD) {
          fields += 1;
          if (selection.selectionSet) inner = countSet(selection.selectionSet);
        } else if (selection.kind === Kind.INLINE_FRAGMENT) {
          inner = countSet(selection.selectionSet);
        } else {
          inner = countFragment(selection.name.value);
        }
        if (inner) {
          fields += inner.fields;
          cyclic ||= inner.cyclic;
        }
      }
      return { fields, cyclic };
    }

    // Rule 4: cost, memoized per fragment (a fragment's cost per object it applies to).
    const fragmentCosts = new Map<string, number>();
    const costing = new Set<string>();

    // a connection's size is its `first` or its `last` (whichever is given), a nested list's its `limit`
    function listSize(def: GraphQLField<unknown, unknown>, node: FieldNode): number {
      let size: number | undefined;
      for (const arg of def.args) {
        const fallback = LIST_SIZE_ARGUMENTS.get(arg.name);
        if (fallback === undefined) continue;
        const given = node.arguments?.find((a) => a.name.value === arg.name)?.value;
        if (given === undefined) size ??= typeof arg.defaultValue === "number" ? arg.defaultValue : fallback;
        else if (given.kind === Kind.INT) return Math.max(0, Number(given.value));
        else return given.kind === Kind.VARIABLE ? MAX_LIST_SIZE : fallback; // null: the default applies
      }
      return size ?? 1;
    }

    function costSet(set: SelectionSetNode, parent: GraphQLNamedType | undefined): number {
      let cost = 0;
      for (const selection of set.selections) {
        if (selection.kind === Kind.FIELD) {
          cost += 1;
          const def = parent && isCompositeType(parent) ? fieldDef(schema, parent, selection.name.value) : undefined;
          if (def && selection.selectionSet) cost += listSize(def, selection) * costSet(selection.selectionSet, getNamedType(def.type));
        } else if (selection.kind === Kind.INLINE_FRAGMENT) {
          const condition = selection.typeCondition ? schema.getType(selection.typeCondition.name.value) : parent;
          cost += costSet(selection.selectionSet, condition);
        } else {
          cost += costFragment(selection.name.value);
        }
      }
      return cost;
    }

    function costFragment(name: string): number {
      const known = fragmentCosts.get(name);
      if (known !== undefined) return known;
      const fragment = context.getFragment(name);
      if (!fragment || costing.has(name)) return 0; // KnownFragmentNames, NoFragmentCycles report these
      costing.add(name);
      const cost = costSet(fragment.selectionSet, schema.getType(fragment.typeCondition.name.value));
      costing.delete(name);
      fragmentCosts.set(name, cost);
      return cost;
    }

    // Rules 1 and 2: one walk of the expanded selections, each fragment once per entry state.
    const reported = new Set<ASTNode>();
    function report(message: string, node: ASTNode) {
      if (reported.has(node)) return;
      reported.add(node);
      context.reportError(new GraphQLError(message, { nodes: [node] }));
    }

    function checkOperation(operation: OperationDefinitionNode) {
      const root = schema.getRootType(operation.operation);
      if (!root) return; // KnownOperationTypes reports it

      const count = countSet(operation.selectionSet);
      if (count.cyclic) return; // NoFragmentCycles reports it
      const name = operation.name ? `operation "${operation.name.value}"` : "operation";
      if (count.fields > maxFields) {
        report(`the ${name} selects ${formatCount(count.fields)} fields once its fragments are expanded: at most ${maxFields} are allowed`, operation);
        return;
      }

      const walked = new Set<string>();
      let depthReported = false;

      /** The state inside `type`, entered at `node`; null when rule 1 refuses it. */
      function enter(type: GraphQLNamedType, state: WalkState, node: ASTNode): WalkState | null {
        const bit = TREE_BIT.get(type.name);
        if (bit === undefined) return state;
        const again = (state.seen & bit) !== 0;
        if (again && (!backReferences || state.listSinceTree)) {
          report(
            `the selection walks back to ${type.name} at ${state.path}: each of ${TREE_LIST} may appear once along a path` +
              (backReferences ? " (except through a single-object back-reference up the tree, such as owner)" : ""),
            node,
          );
          return null;
        }
        if (state.repeated && state.listSinceTree) {
          report(`the selection lists ${type.name} at ${state.path} below a back-reference: below one, only single-object fields may lead to ${TREE_LIST}`, node);
          return null;
        }
        return { ...state, seen: state.seen | bit, listSinceTree: false, repeated: state.repeated || again };
      }

      /** The state under a type condition; null when it can never apply. */
      function narrow(state: WalkState, condition: GraphQLNamedType | undefined, node: ASTNode): WalkState | null {
        if (!condition || !isCompositeType(condition) || condition === state.parent) return state;
        if (isAbstractType(condition)) return isObjectType(state.parent) ? state : { ...state, parent: condition };
        if (isObjectType(state.parent)) return null; // another object type: PossibleFragmentSpreads reports it
        return enter(condition, { ...state, parent: condition }, node);
      }

      function walk(set: SelectionSetNode, state: WalkState) {
        for (const selection of set.selections) {
          if (selection.kind === Kind.FIELD) {
            const def = fieldDef(schema, state.parent, selection.name.value);
            if (!def) continue; // FieldsOnCorrectType reports it
            const depth = state.depth + 1;
            const path = state.path ? `${state.path}.${selection.name.value}` : selection.name.value;
            if (depth > maxDepth) {
              if (!depthReported) report(`the selection at ${path} is nested ${depth} fields deep: at most ${maxDepth} are allowed`, selection);
              depthReported = true;
              continue;
            }
            const type = getNamedType(def.type);
            if (!selection.selectionSet || !isCompositeType(type)) continue;
            const next = enter(type, { ...state, parent: type, depth, path, listSinceTree: state.listSinceTree || returnsList(def.type) }, selection);
            if (next) walk(selection.selectionSet, next);
          } else if (selection.kind === Kind.INLINE_FRAGMENT) {
            const condition = selection.typeCondition ? schema.getType(selection.typeCondition.name.value) : undefined;
            const next = narrow(state, condition, selection);
            if (next) walk(selection.selectionSet, next);
          } else {
            const fragment = context.getFragment(selection.name.value);
            if (!fragment) continue;
            const next = narrow(state, schema.getType(fragment.typeCondition.name.value), selection);
            if (!next) continue;
            const key = `${fragment.name.value} ${next.parent.name} ${next.depth} ${next.seen} ${next.listSinceTree} ${next.repeated}`;
            if (walked.has(key)) continue; // the same fragment in the same state: already checked
            walked.add(key);
            walk(fragment.selectionSet, next);
          }
        }
      }

      const before = reported.size;
      walk(operation.selectionSet, { parent: root, depth: 0, path: "", seen: 0, listSinceTree: false, repeated: false });
      if (reported.size > before) return; // rule 4 counts only a document rules 1 and 2 let through
      const cost = costSet(operation.selectionSet, root);
      if (cost > maxCost) {
        report(
          `the ${name} may resolve ${formatCount(cost)} field values (each field times the sizes of the lists above it, by their first/last/limit arguments): at most ${maxCost} are allowed; ask for smaller pages or limits`,
          operation,
        );
      }
    }

    return {
      OperationDefinition(operation) {
        checkOperation(operation);
        return false;
      },
    };
  };
}

/**
 * Refuses documents that walk the Deployment/ReplicaSet/Pod tree back and forth, nest deeper than
 * MAX_SELECTION_DEPTH fields, select more than MAX_FIELD_SELECTIONS fields once fragments are
 * expanded, or may resolve more than MAX_QUERY_COST field values. Use with graphql's specifiedRules.
 */
export const queryShapeLimits: ValidationRule = createQueryShapeLimits();
