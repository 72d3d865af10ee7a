// Guarded registration: importing the elements twice (two bundles on one page, hot reload) must not
// throw "this name has already been used with this registry".

/** Defines `tag` unless some element already holds the name. */
export function defineElement(tag: string, element: CustomElementConstructor): void {
  if (typeof customElements !== 'undefined' && !customElements.get(tag)) customElements.define(tag, element);
}
