// Field sets as server-side apply tracks them: a trie of path elements encoded the way
// managedFields' `fieldsV1` spells them (`f:<field>`, `k:{"name":"x"}`, `v:"value"`,
// `i:<index>`). A node is a *member* when the path itself is in the set (`.` in fieldsV1
// when it also has children).

export class FieldSet {
  member = false;
  readonly children = new Map<string, FieldSet>();

  static fromFieldsV1(encoded: unknown): FieldSet {
    const set = new FieldSet();
    if (typeof encoded !== "object" || encoded === null) return set;
    const entries = Object.entries(encoded as Record<string, unknown>);
    for (const [k, v] of entries) {
      if (k === ".") {
        set.member = true;
        continue;
      }
      const child = FieldSet.fromFieldsV1(v);
      if (child.children.size === 0) child.member = true;
      set.children.set(k, child);
    }
    return set;
  }

  toFieldsV1(): Record<string, unknown> {
    const out: Record<string, unknown> = {};
    if (this.member && this.children.size > 0) out["."] = {};
    for (const k of [...this.children.keys()].sort()) out[k] = this.children.get(k)!.toFieldsV1();
    return out;
  }

  insert(path: readonly string[]): void {
    if (path.length === 0) {
      this.member = true;
      return;
    }
    const [head, ...rest] = path as [string, ...string[]];
    let next = this.children.get(head);
    if (!next) {
      next = new FieldSet();
      this.children.set(head, next);
    }
    next.insert(rest);
  }

  child(el: string): FieldSet | undefined {
    return this.children.get(el);
  }

  has(path: readonly string[]): boolean {
    if (path.length === 0) return this.member;
    const [head, ...rest] = path as [string, ...string[]];
    return this.children.get(head)?.has(rest) ?? false;
  }

  isEmpty(): boolean {
    return !this.member && [...this.children.values()].every((c) => c.isEmpty());
  }

  clone(): FieldSet {
    const out = new FieldSet();
    out.member = this.member;
    for (const [k, v] of this.children) out.children.set(k, v.clone());
    return out;
  }

  union(other: FieldSet): FieldSet {
    const out = this.clone();
    out.member ||= other.member;
    for (const [k, v] of other.children) {
      const mine = out.children.get(k);
      out.children.set(k, mine ? mine.union(v) : v.clone());
    }
    return out;
  }

  /** Members of this set that are not members of `other` (path by path, not by prefix). */
  difference(other: FieldSet | undefined): FieldSet {
    const out = new FieldSet();
    out.member = this.member && !other?.member;
    for (const [k, v] of this.children) {
      const d = v.difference(other?.children.get(k));
      if (!d.isEmpty()) out.children.set(k, d);
    }
    return out;
  }

  intersection(other: FieldSet | undefined): FieldSet {
    const out = new FieldSet();
    if (!other) return out;
    out.member = this.member && other.member;
    for (const [k, v] of this.children) {
      const o = other.children.get(k);
      if (!o) continue;
      const i = v.intersection(o);
      if (!i.isEmpty()) out.children.set(k, i);
    }
    return out;
  }

  /** This set without any path under (or at) the given prefixes. */
  withoutPrefixes(prefixes: readonly (readonly string[])[]): FieldSet {
    const out = this.clone();
    for (const prefix of prefixes) {
      if (prefix.length === 0) return new FieldSet();
      let node: FieldSet | undefined = out;
      for (const el of prefix.slice(0, -1)) node = node?.children.get(el);
      node?.children.delete(prefix[prefix.length - 1]!);
    }
    return out;
  }

  /** Only the paths under the top-level element `el`. */
  onlyUnder(el: string): FieldSet {
    const out = new FieldSet();
    const child = this.children.get(el);
    if (child) out.children.set(el, child.clone());
    return out;
  }

  /** Every member path, depth first. */
  paths(prefix: string[] = []): string[][] {
    const out: string[][] = this.member ? [prefix] : [];
    for (const k of [...this.children.keys()].sort())
      out.push(...this.children.get(k)!.paths([...prefix, k]));
    return out;
  }
}

export const field = (name: string): string => `f:${name}`;

/** `k:{"containerPort":80,"protocol":"TCP"}`: key fields sorted by name, compact JSON. */
export function keyElement(key: Record<string, unknown>): string {
  const sorted: Record<string, unknown> = {};
  for (const k of Object.keys(key).sort()) sorted[k] = key[k];
  return `k:${JSON.stringify(sorted)}`;
}

export const valueElement = (value: unknown): string => `v:${JSON.stringify(value)}`;

/** A path as the apiserver prints it in conflict messages: `.spec.containers[name="app"].image`. */
export function pathToString(path: readonly string[]): string {
  return path
    .map((el) => {
      const body = el.slice(2);
      switch (el.slice(0, 2)) {
        case "f:":
          return `.${body}`;
        case "k:": {
          const key = JSON.parse(body) as Record<string, unknown>;
          return `[${Object.entries(key)
            .map(([k, v]) => `${k}=${JSON.stringify(v)}`)
            .join(",")}]`;
        }
        case "v:":
          return `[=${body}]`;
        default:
          return `[${body}]`;
      }
    })
    .join("");
}
