// The paper panel's script (runs in the webview). Builds the DOM with textContent only: nothing that
// came from a file is ever parsed as HTML. Talks to the extension through the typed messages.
import type { FromWebview, ModelView, PanelState, PaperDetail, PaperSummary, PatternBrief, ToWebview } from '../shared/messages';

interface VsCodeApi {
  postMessage(message: FromWebview): void;
  getState(): PanelState | undefined;
  setState(state: PanelState): void;
}
declare function acquireVsCodeApi(): VsCodeApi;

const vscode = acquireVsCodeApi();
let state: PanelState = vscode.getState() ?? { query: '', view: 'results' };
let results: PaperSummary[] = [];
/** While restoring an abstract or model view, the restored search results stay behind it. */
let restoringDetail = state.view !== 'results';
/**
 * The answer to the search that restores the results list is still to come. It never replaces an abstract
 * or model view shown meanwhile (a code lens or hover that revealed the hidden panel).
 */
let restoringResults = state.query !== '';
let active = -1;

const search = document.getElementById('search') as HTMLInputElement;
const status = document.getElementById('status') as HTMLElement;
const list = document.getElementById('results') as HTMLUListElement;
const detail = document.getElementById('detail') as HTMLElement;

function saveState(patch: Partial<PanelState>): void {
  state = { ...state, ...patch };
  vscode.setState(state);
}

function el<K extends keyof HTMLElementTagNameMap>(tag: K, text?: string, className?: string): HTMLElementTagNameMap[K] {
  const node = document.createElement(tag);
  if (text !== undefined) node.textContent = text;
  if (className) node.className = className;
  return node;
}

function tagChips(tags: string[]): HTMLElement {
  const chips = el('div', undefined, 'tags');
  for (const tag of tags) chips.append(el('span', tag.replace(/^(pattern|task|modality|topic):/, ''), `tag tag-${tag.split(':')[0]}`));
  return chips;
}

function show(view: PanelState['view']): void {
  const inResults = view === 'results';
  list.hidden = !inResults;
  status.hidden = !inResults;
  detail.hidden = inResults;
  saveState({ view });
}

// --- search and results -------------------------------------------------------------------------

let debounce: ReturnType<typeof setTimeout> | undefined;
search.value = state.query;
search.addEventListener('input', () => {
  clearTimeout(debounce);
  debounce = setTimeout(() => {
    saveState({ query: search.value });
    vscode.postMessage({ type: 'search', query: search.value });
  }, 60);
});
search.addEventListener('keydown', (event) => {
  if (event.key === 'ArrowDown' && results.length > 0) {
    event.preventDefault();
    setActive(0, true);
  } else if (event.key === 'Enter' && results.length > 0) {
    event.preventDefault();
    openResult(Math.max(0, active));
  } else if (event.key === 'Escape' && !list.hidden) {
    search.value = '';
    search.dispatchEvent(new Event('input'));
  }
});

function renderResults(query: string, papers: PaperSummary[], reveal: boolean): void {
  results = papers;
  active = -1;
  list.replaceChildren();
  if (!query.trim()) status.textContent = 'Type to search the papers (titles, abstracts, tags). Typos and plurals are fine.';
  else status.textContent = papers.length === 0 ? `No paper matches “${query}”.` : `${papers.length} paper${papers.length === 1 ? '' : 's'} for “${query}”`;
  papers.forEach((paper, index) => {
    const item = el('li', undefined, 'result');
    item.id = `result-${index}`;
    item.setAttribute('role', 'option');
    item.setAttribute('aria-selected', 'false');
    item.tabIndex = -1;
    item.append(el('div', paper.title, 'result-title'), tagChips(paper.tags));
    if (paper.matched.length > 0) {
      item.append(el('div', `Matched ${paper.matched.map((m) => `${m.term} (${m.fields.join(', ')})`).join(' · ')}`, 'why'));
    }
    item.setAttribute('aria-label', `${paper.title}. ${paper.tags.length} tags.`);
    item.addEventListener('click', () => openResult(index));
    list.append(item);
  });
  if (reveal) show('results');
}

function setActive(index: number, focus: boolean): void {
  const items = [...list.children] as HTMLElement[];
  if (items.length === 0) return;
  active = Math.max(0, Math.min(items.length - 1, index));
  items.forEach((item, i) => item.setAttribute('aria-selected', String(i === active)));
  list.setAttribute('aria-activedescendant', items[active].id);
  if (focus) items[active].focus();
  items[active].scrollIntoView({ block: 'nearest' });
}

list.addEventListener('keydown', (event) => {
  const keys: Record<string, () => void> = {
    ArrowDown: () => setActive(active + 1, true),
    ArrowUp: () => (active <= 0 ? search.focus() : setActive(active - 1, true)),
    Home: () => setActive(0, true),
    End: () => setActive(results.length - 1, true),
    Enter: () => openResult(active),
    ' ': () => openResult(active),
    Escape: () => search.focus(),
  };
  const action = keys[event.key];
  if (action) {
    event.preventDefault();
    action();
  }
});

function openResult(index: number): void {
  const paper = results[index];
  if (!paper) return;
  vscode.postMessage({ type: 'openPaper', id: paper.id, highlight: paper.matched.map((m) => m.term) });
}

// --- paper and model views -----------------------------------------------------------------------

function backButton(): HTMLButtonElement {
  const back = el('button', '← Back to results', 'back');
  back.setAttribute('aria-label', 'Back to the search results');
  back.addEventListener('click', () => {
    show('results');
    const previous = list.children[Math.max(0, active)] as HTMLElement | undefined;
    if (previous) previous.focus();
    else search.focus();
  });
  return back;
}

/** Text with the matched terms wrapped in <mark>, built from text nodes only. */
function highlighted(text: string, terms: string[], tag: 'p' | 'h2' = 'p', className = 'abstract'): HTMLElement {
  const paragraph = el(tag, undefined, className);
  const words = terms.filter((t) => t.length >= 2).map((t) => t.replace(/[.*+?^${}()|[\]\\]/g, '\\$&'));
  if (words.length === 0) {
    paragraph.textContent = text;
    return paragraph;
  }
  const pattern = new RegExp(`\\b(${words.join('|')})\\w*`, 'gi');
  let last = 0;
  for (const match of text.matchAll(pattern)) {
    paragraph.append(document.createTextNode(text.slice(last, match.index)));
    paragraph.append(el('mark', match[0]));
    last = match.index! + match[0].length;
  }
  paragraph.append(document.createTextNode(text.slice(last)));
  return paragraph;
}

function patternSection(pattern: PatternBrief, heading: 'h3' | 'h4'): HTMLElement {
  const section = el('section', undefined, 'pattern');
  section.append(el(heading, pattern.name), el('p', pattern.summary, 'summary'));
  const tradeoffs = el('ul', undefined, 'tradeoffs');
  tradeoffs.setAttribute('aria-label', `Trade-offs of ${pattern.name}`);
  for (const pro of pattern.pros) tradeoffs.append(el('li', pro, 'pro'));
  for (const con of pattern.cons) tradeoffs.append(el('li', con, 'con'));
  section.append(tradeoffs);
  return section;
}

function renderPaper(paper: PaperDetail): void {
  detail.replaceChildren();
  const article = el('article');
  article.setAttribute('aria-label', `Abstract of ${paper.title}`);
  article.append(backButton(), highlighted(paper.title, paper.highlight, 'h2', 'title'), tagChips(paper.tags), highlighted(paper.abstract, paper.highlight));
  if (paper.source !== 'bundled') article.append(el('p', `From your corpus: ${paper.source}`, 'source'));
  if (paper.urls.length > 0) {
    const links = el('ul', undefined, 'links');
    links.setAttribute('aria-label', 'Links from the abstract');
    for (const url of paper.urls) {
      const item = el('li');
      const link = el('a', url);
      link.href = '#';
      link.title = `Open ${url} in your browser`;
      link.addEventListener('click', (event) => {
        event.preventDefault();
        vscode.postMessage({ type: 'openExternal', url });
      });
      item.append(link);
      links.append(item);
    }
    article.append(el('h3', 'Links'), links);
  }
  if (paper.relatedPatterns.length > 0) {
    article.append(el('h3', 'Related patterns'));
    for (const pattern of paper.relatedPatterns) article.append(patternSection(pattern, 'h4'));
  }
  detail.append(article);
  show('paper');
  saveState({ paperId: paper.id, highlight: paper.highlight });
  (article.querySelector('h2') as HTMLElement).tabIndex = -1;
  (article.querySelector('h2') as HTMLElement).focus();
}

function renderModel(model: ModelView): void {
  detail.replaceChildren();
  const article = el('article');
  article.setAttribute('aria-label', `Architecture of ${model.className}`);
  const heading = el('h2', model.className);
  heading.tabIndex = -1;
  article.append(backButton(), heading, el('p', `${model.patterns.length} pattern${model.patterns.length === 1 ? '' : 's'} recognized`, 'source'));
  for (const pattern of model.patterns) {
    const section = patternSection(pattern, 'h3');
    section.querySelector('h3')!.textContent = `${pattern.name} · ${Math.round(pattern.confidence * 100)}%`;
    const evidence = el('ul', undefined, 'evidence');
    evidence.setAttribute('aria-label', `Evidence for ${pattern.name}`);
    for (const line of pattern.evidence) {
      const match = /^L(\d+): ?(.*)$/s.exec(line);
      const item = el('li');
      const button = el('button', match ? `L${match[1]}` : '', 'line-link');
      button.setAttribute('aria-label', `Go to line ${match?.[1] ?? ''}`);
      button.addEventListener('click', () => vscode.postMessage({ type: 'revealEvidence', file: model.file, line: Number(match?.[1] ?? 1) }));
      item.append(button, el('code', match ? match[2] : line));
      evidence.append(item);
    }
    section.insertBefore(el('h4', 'Evidence'), section.querySelector('.tradeoffs'));
    section.insertBefore(evidence, section.querySelector('.tradeoffs'));
    section.insertBefore(el('h4', 'Trade-offs'), section.querySelector('.tradeoffs'));
    const papers = el('ul', undefined, 'papers');
    papers.setAttribute('aria-label', `Papers for ${pattern.name}`);
    for (const paper of pattern.papers) {
      const item = el('li');
      const button = el('button', paper.title, 'paper-link');
      button.addEventListener('click', () => vscode.postMessage({ type: 'openPaper', id: paper.id, highlight: [] }));
      item.append(button);
      papers.append(item);
    }
    section.append(el('h4', 'Papers'), pattern.papers.length > 0 ? papers : el('p', pattern.note ?? 'No paper in the corpus is close to this pattern.', 'source'));
    article.append(section);
  }
  detail.append(article);
  show('model');
  saveState({ model: { file: model.file, line: model.line } });
  heading.focus();
}

window.addEventListener('message', (event: MessageEvent<ToWebview>) => {
  const message = event.data;
  switch (message.type) {
    case 'results':
      // Drop answers to queries the user has typed past; take searches started by the extension.
      if (message.query !== search.value && document.activeElement === search) break;
      if (message.query !== search.value) {
        search.value = message.query;
        saveState({ query: message.query });
      }
      renderResults(message.query, message.papers, !restoringDetail && !(restoringResults && state.view !== 'results'));
      restoringDetail = false;
      restoringResults = false;
      break;
    case 'paper':
      renderPaper(message.paper);
      break;
    case 'model':
      renderModel(message.model);
      break;
    case 'error':
      status.textContent = message.message;
      break;
  }
});

vscode.postMessage({ type: 'ready' });
// Restore what was on screen before the panel was hidden or the window reloaded.
if (state.query) vscode.postMessage({ type: 'search', query: state.query });
else renderResults('', [], !restoringDetail);
if (state.view === 'paper' && state.paperId) vscode.postMessage({ type: 'openPaper', id: state.paperId, highlight: state.highlight ?? [] });
else if (state.view === 'model' && state.model) vscode.postMessage({ type: 'openModel', file: state.model.file, line: state.model.line });
