import type { Node } from 'web-tree-sitter';

/**
 * A read-once view of a web-tree-sitter node for the model extraction.
 *
 * Every property of a web-tree-sitter `Node` (its type, text, children, fields, end position) is a call
 * into wasm, and `childForFieldName`/`parent`/`namedChildren` hand back new `Node` objects that have
 * forgotten what was already read. The extraction reads the same nodes many times (the body walk, then
 * the calls, assignments and identifier reads over the same expressions), so each property is read from
 * wasm once here and kept; nodes are shared by id, so a node reached twice (as a child and as a field)
 * is one `SyntaxNode`. Only the subset of the `Node` API the extraction uses is offered.
 *
 * Valid for one tree: a `SyntaxTree` must not outlive the `Tree` it reads.
 */
export class SyntaxNode {
  private typeName: string | undefined;
  private textValue: string | undefined;
  private children: SyntaxNode[] | undefined;
  private fieldChildren: Map<string, SyntaxNode | null> | undefined;
  private parentNode: SyntaxNode | null | undefined;
  private end: { row: number; column: number } | undefined;

  constructor(
    private readonly node: Node,
    private readonly tree: SyntaxTree,
  ) {}

  /** Unique within the tree (as `Node.id`). */
  get id(): number {
    return this.node.id;
  }

  get type(): string {
    return (this.typeName ??= this.node.type);
  }

  get text(): string {
    return (this.textValue ??= this.node.text);
  }

  get startIndex(): number {
    return this.node.startIndex;
  }

  get endIndex(): number {
    return this.node.endIndex;
  }

  get startPosition(): { row: number; column: number } {
    return this.node.startPosition;
  }

  get endPosition(): { row: number; column: number } {
    return (this.end ??= this.node.endPosition);
  }

  get hasError(): boolean {
    return this.node.hasError;
  }

  get namedChildren(): SyntaxNode[] {
    if (!this.children) {
      this.children = [];
      for (const child of this.node.namedChildren) if (child) this.children.push(this.tree.wrap(child, this));
    }
    return this.children;
  }

  namedChild(index: number): SyntaxNode | null {
    return this.namedChildren[index] ?? null;
  }

  childForFieldName(field: string): SyntaxNode | null {
    this.fieldChildren ??= new Map();
    let child = this.fieldChildren.get(field);
    if (child === undefined) {
      const found = this.node.childForFieldName(field);
      child = found ? this.tree.wrap(found, this) : null;
      this.fieldChildren.set(field, child);
    }
    return child;
  }

  /** Children of a repeated field (`import a, b`: both names); not cached (read once, by the import walk). */
  childrenForFieldName(field: string): SyntaxNode[] {
    const found: SyntaxNode[] = [];
    for (const child of this.node.childrenForFieldName(field)) if (child) found.push(this.tree.wrap(child, this));
    return found;
  }

  /**
   * The parent as the child was reached (wasm's `Node.parent` walks down from the root each time, which is
   * quadratic over a deeply nested expression); asked of wasm only for a node not reached from its parent.
   */
  get parent(): SyntaxNode | null {
    if (this.parentNode === undefined) {
      const found = this.node.parent;
      this.parentNode = found ? this.tree.wrap(found) : null;
    }
    return this.parentNode;
  }

  /** Records the node this one was reached from as a child: its parent, without asking wasm. */
  reachedFrom(parent: SyntaxNode): void {
    this.parentNode ??= parent;
  }

  /**
   * Named descendants of one type, this node included, in source order (as `Node.descendantsOfType`
   * for a named type), read through the cached children.
   */
  descendantsOfType(type: string): SyntaxNode[] {
    const found: SyntaxNode[] = [];
    const pending: SyntaxNode[] = [this];
    while (pending.length > 0) {
      const node = pending.pop()!;
      if (node.type === type) found.push(node);
      const children = node.namedChildren;
      for (let i = children.length - 1; i >= 0; i--) pending.push(children[i]);
    }
    return found;
  }
}

/** The `SyntaxNode`s of one tree, by node id. */
export class SyntaxTree {
  private readonly nodes = new Map<number, SyntaxNode>();

  /** The view of `node`; `parent`, when given, is the node it was reached from as a child. */
  wrap(node: Node, parent?: SyntaxNode): SyntaxNode {
    let wrapped = this.nodes.get(node.id);
    if (!wrapped) {
      wrapped = new SyntaxNode(node, this);
      this.nodes.set(node.id, wrapped);
    }
    if (parent) wrapped.reachedFrom(parent);
    return wrapped;
  }
}
