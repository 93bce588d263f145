// Source files and spans: where every AST node, IR node and diagnostic points.

export interface Position {
  readonly line: number; // 1-based; 0 in a diagnostic about a whole file
  readonly col: number; // 1-based, in UTF-16 code units
  readonly offset: number; // 0-based
}

export interface Span {
  readonly file: string;
  readonly start: Position;
  readonly end: Position; // exclusive
}

export class SourceFile {
  private readonly lineStarts: number[] = [0];

  constructor(
    readonly path: string,
    readonly text: string,
  ) {
    // A line ends at \n, \r\n or a lone \r (classic Mac files), as the lexer counts lines.
    for (let i = 0; i < text.length; i++) {
      const c = text.charCodeAt(i);
      if (c === 10 || (c === 13 && text.charCodeAt(i + 1) !== 10)) this.lineStarts.push(i + 1);
    }
  }

  position(offset: number): Position {
    const clamped = Math.max(0, Math.min(offset, this.text.length));
    let lo = 0;
    let hi = this.lineStarts.length - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if (this.lineStarts[mid]! <= clamped) lo = mid;
      else hi = mid - 1;
    }
    return { line: lo + 1, col: clamped - this.lineStarts[lo]! + 1, offset: clamped };
  }

  span(startOffset: number, endOffset: number): Span {
    return { file: this.path, start: this.position(startOffset), end: this.position(endOffset) };
  }

  /** The text of one 1-based line, without its newline. */
  line(n: number): string {
    const start = this.lineStarts[n - 1];
    if (start === undefined) return '';
    const next = this.lineStarts[n];
    return this.text.slice(start, next === undefined ? this.text.length : next - 1).replace(/\r$/, '');
  }
}

export function joinSpans(a: Span, b: Span): Span {
  return { file: a.file, start: a.start, end: b.end };
}

export function formatPosition(span: Span): string {
  return `${span.file}:${span.start.line}:${span.start.col}`;
}
