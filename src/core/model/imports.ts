import type { Node } from 'web-tree-sitter';

/**
 * Local names bound by a file's imports, mapped to the dotted path they stand for:
 * `import torch.nn as nn` → `nn: torch.nn`; `from torch.nn import Module` → `Module: torch.nn.Module`.
 */
export type ImportMap = Map<string, string>;

/** Reads the import statements of a module (top level, and inside `try`/`if` blocks at top level). */
export function readImports(root: Node): ImportMap {
  const imports: ImportMap = new Map();
  const pending: Node[] = [...root.namedChildren.filter(isNode)];
  while (pending.length > 0) {
    const node = pending.pop()!;
    switch (node.type) {
      case 'import_statement':
        for (const name of node.childrenForFieldName('name').filter(isNode)) {
          if (name.type === 'aliased_import') {
            const path = name.childForFieldName('name')?.text;
            const alias = name.childForFieldName('alias')?.text;
            if (path && alias) imports.set(alias, path);
          } else {
            // `import torch.nn` binds `torch`; the dotted use resolves through it.
            const first = name.text.split('.')[0];
            imports.set(first, first);
          }
        }
        break;
      case 'import_from_statement': {
        const moduleName = node.childForFieldName('module_name')?.text ?? '';
        for (const name of node.childrenForFieldName('name').filter(isNode)) {
          if (name.type === 'aliased_import') {
            const path = name.childForFieldName('name')?.text;
            const alias = name.childForFieldName('alias')?.text;
            if (path && alias) imports.set(alias, `${moduleName}.${path}`);
          } else {
            imports.set(name.text, `${moduleName}.${name.text}`);
          }
        }
        break;
      }
      case 'if_statement':
      case 'try_statement':
      case 'block':
      case 'else_clause':
      case 'except_clause':
      case 'finally_clause':
        pending.push(...node.namedChildren.filter(isNode));
        break;
      default:
        break;
    }
  }
  return imports;
}

/** Expands the first segment of a dotted name through the imports: `nn.Linear` → `torch.nn.Linear`. */
export function resolveDotted(text: string, imports: ImportMap): string {
  const dot = text.indexOf('.');
  const head = dot < 0 ? text : text.slice(0, dot);
  const expanded = imports.get(head);
  if (!expanded) return text;
  return dot < 0 ? expanded : expanded + text.slice(dot);
}

export function isNode(node: Node | null): node is Node {
  return node !== null;
}
