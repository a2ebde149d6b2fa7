// The demo site's frame, shared by every page: its navigation. The pages are listed here and only here,
// in the order the navigation shows them; a new page is one line below (and its HTML entry in
// vite.config.ts). Each page has an empty <nav class="site-nav"> that this fills, marking the page shown.
export const PAGES: ReadonlyArray<{ href: string; title: string; what: string }> = [
  { href: 'index.html', title: 'Classify', what: 'train a sentiment classifier' },
  { href: 'forecast.html', title: 'Forecast', what: 'forecast a numeric series' },
  { href: 'write.html', title: 'Write', what: 'train a language model and write with it' },
  { href: 'inside.html', title: 'Inside', what: "watch an LSTM's gates and cell state read a sentence" },
  { href: 'long-term.html', title: 'Long-term', what: 'race a SimpleRNN, a GRU and an LSTM on a long-term dependency' },
];

/** The page shown: the last part of the address ("" is the site's index). */
function currentPage(): string {
  return location.pathname.split('/').pop() || 'index.html';
}

export function renderNav(nav: Element): void {
  const here = currentPage();
  const brand = document.createElement('span');
  brand.className = 'site-name';
  brand.textContent = 'webgpu-lstm';
  const list = document.createElement('ul');
  for (const p of PAGES) {
    const a = document.createElement('a');
    a.href = `./${p.href}`;
    a.textContent = p.title;
    a.title = p.what;
    if (p.href === here) a.setAttribute('aria-current', 'page');
    const li = document.createElement('li');
    li.append(a);
    list.append(li);
  }
  nav.replaceChildren(brand, list);
}

for (const nav of document.querySelectorAll('nav.site-nav')) renderNav(nav);
