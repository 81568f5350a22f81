// Renders the OpenAPI document as a list of routes; no third-party code, so the page can keep a
// strict Content-Security-Policy (script-src 'self').
const main = document.getElementById("routes");
const filter = document.getElementById("filter");

function el(tag, attrs = {}, ...children) {
  const node = document.createElement(tag);
  for (const [key, value] of Object.entries(attrs)) node.setAttribute(key, value);
  for (const child of children) node.append(child);
  return node;
}

function resolve(doc, schema) {
  const ref = schema && schema.$ref;
  return ref ? { name: ref.split("/").pop(), ...doc.components.schemas[ref.split("/").pop()] } : schema;
}

function operationView(doc, path, method, op) {
  const summary = el("summary", {}, el("span", { class: `m ${method}` }, method.toUpperCase()),
    el("span", { class: "path" }, path), el("span", {}, op.summary || ""),
    el("span", { class: "lock" }, op.security && op.security.length ? "auth" : "public"));
  const parts = [];
  if (op.parameters && op.parameters.length) parts.push({ parameters: op.parameters });
  const body = op.requestBody && Object.values(op.requestBody.content)[0];
  if (body) parts.push({ requestBody: resolve(doc, body.schema) });
  parts.push({ responses: Object.fromEntries(Object.entries(op.responses).map(([code, r]) => [code, r.description])) });
  const details = el("details", { "data-search": `${method} ${path} ${op.summary}`.toLowerCase() }, summary);
  details.append(el("pre", {}, JSON.stringify(Object.assign({}, ...parts), null, 2)));
  return details;
}

function render(doc) {
  const byTag = new Map();
  for (const [path, ops] of Object.entries(doc.paths)) {
    for (const [method, op] of Object.entries(ops)) {
      const tag = (op.tags && op.tags[0]) || "other";
      if (!byTag.has(tag)) byTag.set(tag, []);
      byTag.get(tag).push(operationView(doc, path, method, op));
    }
  }
  main.replaceChildren();
  for (const [tag, views] of [...byTag.entries()].sort()) main.append(el("h2", {}, tag), ...views);
}

filter.addEventListener("input", () => {
  const needle = filter.value.toLowerCase();
  for (const node of main.querySelectorAll("details")) node.hidden = !node.dataset.search.includes(needle);
});

fetch("/api/v1/openapi.json").then((r) => r.json()).then(render)
  .catch(() => { main.textContent = "Could not load the API document."; });
