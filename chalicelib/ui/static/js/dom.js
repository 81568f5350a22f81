// Building DOM safely: every piece of data goes in through textContent or attributes, never innerHTML.

const PROPS = new Set(['hidden', 'disabled', 'checked', 'selected', 'required', 'value', 'multiple', 'readOnly',
  'draggable', 'open']);

/** Create an element: h('button', {class: 'primary', onClick: fn}, 'Save'). */
export function h(tag, props, ...children) {
  const el = document.createElement(tag);
  for (const [key, value] of Object.entries(props || {})) {
    if (value === null || value === undefined || value === false) {
      if (PROPS.has(key)) el[key] = false;
      continue;
    }
    if (key === 'class') el.className = Array.isArray(value) ? value.filter(Boolean).join(' ') : value;
    else if (key === 'text') el.textContent = String(value);
    else if (key === 'dataset') Object.assign(el.dataset, value);
    else if (key.startsWith('on') && typeof value === 'function') el.addEventListener(key.slice(2).toLowerCase(), value);
    else if (PROPS.has(key)) el[key] = value;
    else el.setAttribute(key, value === true ? '' : String(value));
  }
  append(el, children);
  return el;
}

/** Append children (strings become text nodes; null, false and undefined are skipped). */
export function append(el, children) {
  for (const child of children.flat(Infinity)) {
    if (child === null || child === undefined || child === false) continue;
    el.append(child instanceof Node ? child : document.createTextNode(String(child)));
  }
  return el;
}

/** Replace an element's children. */
export function mount(el, ...children) {
  el.replaceChildren();
  return append(el, children);
}

let counter = 0;

/** A unique element id (for label/aria pairs). */
export function uid(prefix = 'id') {
  counter += 1;
  return `${prefix}-${counter}`;
}
