// One Python class per block kind: the instances of a block (every `basic` unit of a ResNet) are
// rendered as text, numbers become holes, and instances with the same text around the holes share
// a class. A hole whose number differs between instances becomes a constructor argument, named
// after the block parameter it equals (`width`, `stride`, or `width * 4`), else after its place
// (`in_channels`). The model's own parameters (`classes`) are found the same way, from extra
// compilations at other values (see lower.ts).

/** Text with the numbers taken out: holes are NUL characters, in order. */
export interface Template {
  readonly skeleton: string;
  readonly values: readonly string[];
}

// Strings and comments are kept whole; a name followed by [digits] is a subscript (x.shape[0]),
// not a hole; every other number literal is a hole.
const TOKENS = /'[^'\n]*'|"[^"\n]*"|#[^\n]*|[A-Za-z_][A-Za-z0-9_]*(?:\[\d+\])?|(\d+(?:\.\d*)?(?:e[-+]?\d+)?)/g;
export const HOLE = '\u0000';

export function template(text: string): Template {
  const values: string[] = [];
  const skeleton = text.replace(TOKENS, (whole, number: string | undefined) => {
    if (number === undefined) return whole;
    values.push(number);
    return HOLE;
  });
  return { skeleton, values };
}

export interface Instance<S> {
  readonly scope: S;
  readonly values: readonly string[];
  /** The numbers a hole may be named after: block arguments, or the model's parameters. */
  readonly named: Readonly<Record<string, number>>;
}

export interface Param {
  readonly name: string;
  /** Per instance, the value passed. */
  readonly values: readonly string[];
}

export interface Resolved {
  /** The class text with holes filled: literals, parameter names or expressions of them. */
  readonly text: string;
  readonly params: readonly Param[];
  /** Holes that differ between instances but match no named number (model parameters only). */
  readonly unmatched: readonly number[];
}

/**
 * Fills a group's holes. `fallbacks` names unmatched varying holes after their context; when it
 * is false, such holes are reported in `unmatched` (and written with the first instance's value).
 */
export function resolveHoles<S>(skeleton: string, instances: readonly Instance<S>[], fallbacks: boolean): Resolved {
  // Holes after `def forward` read their argument from an attribute that __init__ stores.
  const forwardAt = skeleton.indexOf('def forward(');
  const offsets: number[] = [];
  for (let at = skeleton.indexOf(HOLE); at >= 0; at = skeleton.indexOf(HOLE, at + 1)) offsets.push(at);
  const stored = new Set<string>();
  const inForward = (j: number, expr: string, name: string): string => {
    if (forwardAt < 0 || offsets[j]! < forwardAt) return expr;
    stored.add(name);
    return `self.${expr}`;
  };
  const holes = instances[0]!.values.length;
  const params: { name: string; values: string[]; key: string }[] = [];
  const unmatched: number[] = [];
  const fills: string[] = [];
  const contexts = skeleton.split(HOLE);
  const earlier = new Map<string, { name: string; expr: string }>();
  for (let j = 0; j < holes; j++) {
    const texts = instances.map((i) => i.values[j]!);
    if (texts.every((t) => t === texts[0])) {
      fills.push(texts[0]!);
      continue;
    }
    // The same numbers as an earlier hole in every instance: the same expression (a conv's output
    // channels are the next batch norm's features and the next conv's input channels).
    const seen = earlier.get(texts.join(','));
    if (seen) {
      fills.push(inForward(j, seen.expr, seen.name));
      continue;
    }
    const nums = texts.map(Number);
    const place = contextName(contexts.slice(0, j + 1).join(HOLE));
    // An input size is the caller's business (x.channels), however it relates to the arguments.
    const named = matchNamed(nums, instances.map((i) => i.named), !place.startsWith('in_'));
    if (named) {
      earlier.set(texts.join(','), named);
      fills.push(inForward(j, named.expr, named.name));
      if (!params.some((p) => p.name === named.name)) {
        params.push({ name: named.name, key: `named:${named.name}`, values: instances.map((i) => String(i.named[named.name])) });
      }
      continue;
    }
    if (!fallbacks) {
      unmatched.push(j);
      fills.push(texts[0]!);
      continue;
    }
    const key = `hole:${texts.join(',')}`;
    let p = params.find((q) => q.key === key);
    if (!p) {
      const base = place;
      let name = base;
      for (let k = 2; params.some((q) => q.name === name) || instances[0]!.named[name] !== undefined; k++) name = `${base}${k}`;
      p = { name, key, values: texts };
      params.push(p);
    }
    earlier.set(texts.join(','), { name: p.name, expr: p.name });
    fills.push(inForward(j, p.name, p.name));
  }
  let k = 0;
  let text = skeleton.replace(/\u0000/g, () => fills[k++]!);
  const init = 'super().__init__()';
  const stores = [...stored].map((n) => `\n    self.${n} = ${n}`).join('');
  text = text.replace(init, init + stores);
  // Input sizes first (PyTorch's habit: in_channels, out_channels), then block parameters.
  const rank = (p: { name: string; key: string }) => (p.name.startsWith('in_') ? 0 : p.key.startsWith('named:') ? 1 : 2);
  const ordered = params.map((p, i) => ({ p, i })).sort((a, b) => rank(a.p) - rank(b.p) || a.i - b.i).map(({ p }) => ({ name: p.name, values: p.values }));
  return { text, params: ordered, unmatched };
}

/** `width`, `width * 4` or `width // 2` when the hole follows one named number in every instance. */
function matchNamed(nums: readonly number[], named: readonly Readonly<Record<string, number>>[], scaled: boolean): { name: string; expr: string } | undefined {
  const names = Object.keys(named[0]!);
  for (const name of names) if (nums.every((v, i) => named[i]![name] === v)) return { name, expr: name };
  if (!scaled) return undefined;
  for (const name of names) {
    const base = named.map((n) => n[name]);
    if (base.some((b) => b === undefined || !Number.isInteger(b) || b === 0) || nums.some((v) => !Number.isInteger(v))) continue;
    const times = nums[0]! / base[0]!;
    if (Number.isInteger(times) && times > 1 && nums.every((v, i) => v === base[i]! * times)) return { name, expr: `${name} * ${times}` };
    const over = base[0]! / nums[0]!;
    if (Number.isInteger(over) && over > 1 && nums.every((v, i) => v * over === base[i]!)) return { name, expr: `${name} // ${over}` };
  }
  return undefined;
}

/** Positional parameters of the torch calls archc writes, to name a hole by its place. */
const POSITIONAL: Record<string, readonly string[]> = {
  Conv: ['in_channels', 'out_channels', 'kernel_size'],
  ConvTranspose: ['in_channels', 'out_channels', 'kernel_size'],
  BatchNorm: ['num_features'],
  Linear: ['in_features', 'out_features'],
  LayerNorm: ['features'],
  PReLU: ['num_parameters'],
};

/** Names the hole that follows `before`: `stride` for `stride=<hole>`; `in_channels` for the first argument of nn.Conv2d; else `size`. */
export function contextName(before: string): string {
  const keyword = /([A-Za-z_][A-Za-z0-9_]*)=(?:\(|\[)?(?:[^=(\[]*, )?$/.exec(before);
  if (keyword && !/^[A-Z]/.test(keyword[1]!)) return keyword[1]!;
  let depth = 0;
  let commas = 0;
  for (let i = before.length - 1; i >= 0; i--) {
    const c = before[i]!;
    if (c === ')' || c === ']') depth++;
    else if (c === '[') depth--;
    else if (c === '(') {
      if (depth > 0) {
        depth--;
        continue;
      }
      const callee = /([A-Za-z_][A-Za-z0-9_.]*)$/.exec(before.slice(0, i))?.[1] ?? '';
      const family = /^nn\.(Conv|ConvTranspose|BatchNorm|Linear|LayerNorm|PReLU)/.exec(callee)?.[1];
      const names = family ? POSITIONAL[family] : undefined;
      return names?.[commas] ?? 'size';
    } else if (c === ',' && depth === 0) commas++;
    else if (c === '\n' && depth === 0) break;
  }
  return 'size';
}

/** `inverted_residual` → `InvertedResidual`; a leading digit gets an `M`. */
export function className(name: string): string {
  const camel = name
    .split(/[^A-Za-z0-9]+/)
    .filter(Boolean)
    .map((p) => p[0]!.toUpperCase() + p.slice(1))
    .join('');
  if (!camel) return 'Block';
  return /^\d/.test(camel) ? `M${camel}` : camel;
}
