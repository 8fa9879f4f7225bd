// Which methods each registered path answers, so that a known path asked with another method
// gets 405 with an Allow header (RFC 9110) instead of a 404 that says the path does not exist.
// Fastify's router only answers "no route"; it does not say whether the path matched.

interface PathPattern {
  pattern: RegExp;
  methods: Set<string>;
}

function compile(url: string): RegExp {
  const source = url
    .split("/")
    .map((segment) => {
      if (segment.startsWith(":")) return "[^/]+";
      if (segment === "*") return ".*";
      return segment.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
    })
    .join("/");
  return new RegExp(`^${source}/?$`);
}

export class RouteMethods {
  readonly #byUrl = new Map<string, PathPattern>();

  add(methods: string | string[], url: string): void {
    let entry = this.#byUrl.get(url);
    if (!entry) {
      entry = { pattern: compile(url), methods: new Set() };
      this.#byUrl.set(url, entry);
    }
    for (const method of Array.isArray(methods) ? methods : [methods])
      entry.methods.add(method.toUpperCase());
  }

  /** Methods the path answers, sorted; empty when no route has this path. */
  allowed(path: string): string[] {
    const methods = new Set<string>();
    for (const { pattern, methods: own } of this.#byUrl.values()) {
      if (pattern.test(path)) for (const m of own) methods.add(m);
    }
    return [...methods].sort();
  }
}
