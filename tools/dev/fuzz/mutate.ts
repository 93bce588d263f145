// Seeded mutations of .arch text for the fuzz test: token deletions, duplications and swaps, extreme
// numbers, truncation, random bytes and swapped names. Case i of seed s is always the same text.
import type { IToken } from 'chevrotain';
import * as T from '../../../dsl/tokens.js';

/** A small, fast, seedable generator (mulberry32). */
export function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

type Random = () => number;

const pick = <X>(r: Random, xs: readonly X[]): X => xs[Math.floor(r() * xs.length)]!;

const NUMBERS = ['0', '-1', '1', '2', '3', '-7', '65537', '2147483648', '4294967297', '1e18', '99999999999999999999', '3.5', '1e-9', '0.0', '-0.5', '1_000_000', '1e308', '1e309'];
const NOISE = ['\u0000', '\u0007', '\ufffd', '\u00e9', '\u{1F600}', '\r', '\t', '\n', '{', '}', '(', ')', '[', ']', ',', ':', '|>', '..', '"', '/*', '//', '$', '#', '@', '\\'];
const WORDS = ['model', 'block', 'use', 'input', 'output', 'return', 'expect', 'for', 'in', 'if', 'else', 'frozen', 'and', 'or', 'not', 'none', 'true', 'x', 'name', 'params'];

export interface Mutation {
  readonly kind: string;
  readonly text: string;
}

function tokens(text: string): IToken[] {
  return T.lexer.tokenize(text).tokens;
}

const splice = (text: string, start: number, end: number, insert: string) => text.slice(0, start) + insert + text.slice(end);
const tokenEnd = (t: IToken) => t.endOffset! + 1;

/** One mutation of `text`; falls back to a byte insertion when the text has too few tokens. */
export function mutateOnce(text: string, r: Random): Mutation {
  const ts = tokens(text);
  const kind = pick(r, ['delete', 'duplicate', 'swap', 'number', 'number', 'truncate', 'bytes', 'name', 'line', 'word']);
  if (ts.length < 2 && kind !== 'truncate') return bytes(text, r);
  const t = pick(r, ts);
  switch (kind) {
    case 'delete':
      return { kind, text: splice(text, t.startOffset, tokenEnd(t), '') };
    case 'duplicate':
      return { kind, text: splice(text, t.startOffset, t.startOffset, `${t.image} `) };
    case 'swap': {
      const i = Math.floor(r() * (ts.length - 1));
      const [a, b] = [ts[i]!, ts[i + 1]!];
      return { kind, text: text.slice(0, a.startOffset) + b.image + text.slice(tokenEnd(a), b.startOffset) + a.image + text.slice(tokenEnd(b)) };
    }
    case 'number': {
      const numbers = ts.filter((x) => x.tokenType === T.Integer || x.tokenType === T.Float);
      const n = numbers.length ? pick(r, numbers) : t;
      return { kind, text: splice(text, n.startOffset, tokenEnd(n), pick(r, NUMBERS)) };
    }
    case 'truncate':
      return { kind, text: text.slice(0, Math.floor(r() * text.length)) };
    case 'bytes':
      return bytes(text, r);
    case 'name': {
      const names = ts.filter((x) => x.tokenType === T.Identifier);
      if (names.length < 2) return bytes(text, r);
      const [a, b] = [pick(r, names), pick(r, names)];
      return { kind, text: splice(text, a.startOffset, tokenEnd(a), b.image) };
    }
    case 'line': {
      const lines = text.split('\n');
      const i = Math.floor(r() * lines.length);
      if (r() < 0.5) lines.splice(i, 1);
      else lines.splice(i, 0, lines[Math.floor(r() * lines.length)]!);
      return { kind, text: lines.join('\n') };
    }
    default:
      return { kind, text: splice(text, t.startOffset, tokenEnd(t), pick(r, WORDS)) };
  }
}

function bytes(text: string, r: Random): Mutation {
  const at = Math.floor(r() * (text.length + 1));
  const count = 1 + Math.floor(r() * 3);
  const insert = Array.from({ length: count }, () => (r() < 0.7 ? pick(r, NOISE) : String.fromCharCode(Math.floor(r() * 0x3000)))).join('');
  return { kind: 'bytes', text: splice(text, at, at, insert) };
}

/** One to three mutations in a row. */
export function mutate(text: string, r: Random): Mutation {
  const rounds = 1 + Math.floor(r() * 3);
  const kinds: string[] = [];
  let out = text;
  for (let i = 0; i < rounds; i++) {
    const m = mutateOnce(out, r);
    kinds.push(m.kind);
    out = m.text;
  }
  return { kind: kinds.join('+'), text: out };
}
