/**
 * Local names bound by a file's imports, mapped to the dotted path they stand for:
 * `import torch.nn as nn` → `nn: torch.nn`; `from torch.nn import Module` → `Module: torch.nn.Module`.
 */
export type ImportMap = Map<string, string>;

/** What `importBindings` reads of a syntax node. */
interface ImportNode {
  readonly type: string;
  readonly text: string;
  childForFieldName(field: string): ImportNode | null;
  childrenForFieldName(field: string): Array<ImportNode | null>;
}

/**
 * The names one `import` or `from … import` statement binds, in order, with the dotted path each stands for:
 * `import torch.nn as nn` → `[nn, torch.nn]`; `from torch.nn import Module` → `[Module, torch.nn.Module]`.
 */
export function importBindings(statement: ImportNode): Array<[local: string, path: string]> {
  const bindings: Array<[string, string]> = [];
  const from = statement.type === 'import_from_statement' ? (statement.childForFieldName('module_name')?.text ?? '') : undefined;
  for (const name of statement.childrenForFieldName('name')) {
    if (!name) continue;
    if (name.type === 'aliased_import') {
      const path = name.childForFieldName('name')?.text;
      const alias = name.childForFieldName('alias')?.text;
      if (path && alias) bindings.push([alias, from === undefined ? path : `${from}.${path}`]);
    } else if (from === undefined) {
      // `import torch.nn` binds `torch`; the dotted use resolves through it.
      const first = name.text.split('.')[0];
      bindings.push([first, first]);
    } else {
      bindings.push([name.text, `${from}.${name.text}`]);
    }
  }
  return bindings;
}

/** Expands the first segment of a dotted name through the imports: `nn.Linear` → `torch.nn.Linear`. */
export function resolveDotted(text: string, imports: ImportMap): string {
  const dot = text.indexOf('.');
  const head = dot < 0 ? text : text.slice(0, dot);
  const expanded = imports.get(head);
  if (!expanded) return text;
  return dot < 0 ? expanded : expanded + text.slice(dot);
}
