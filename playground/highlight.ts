// Syntax colouring for the editor: a small stream tokenizer with the same classes as the TextMate
// grammar of the VS Code extension (keywords, numbers, strings, comments, calls, the pipe).
import type { StreamLanguage as StreamLanguageType, StringStream } from '@codemirror/language';

const KEYWORDS = new Set(['model', 'block', 'use', 'input', 'output', 'return', 'expect', 'for', 'in', 'if', 'else', 'frozen', 'allow']);
const ATOMS = new Set(['true', 'false', 'none']);
const OPERATORS = new Set(['and', 'or', 'not']);

interface State {
  comment: boolean;
}

export function archcLanguage(StreamLanguage: typeof StreamLanguageType) {
  return StreamLanguage.define<State>({
    name: 'archc',
    startState: () => ({ comment: false }),
    token(stream: StringStream, state: State): string | null {
      if (state.comment) {
        if (stream.skipTo('*/')) {
          stream.match('*/');
          state.comment = false;
        } else stream.skipToEnd();
        return 'comment';
      }
      if (stream.eatSpace()) return null;
      if (stream.match('//')) {
        stream.skipToEnd();
        return 'comment';
      }
      if (stream.match('/*')) {
        state.comment = true;
        return 'comment';
      }
      if (stream.match(/^"(?:[^"\\]|\\.)*"?/)) return 'string';
      if (stream.match(/^\d[\d_]*(?:\.\d[\d_]*)?(?:[eE][+-]?\d+)?/)) return 'number';
      if (stream.match('|>')) return 'operator';
      const word = stream.match(/^[A-Za-z_][A-Za-z0-9_]*/) as RegExpMatchArray | null;
      if (word) {
        const w = word[0];
        if (KEYWORDS.has(w)) return 'keyword';
        if (ATOMS.has(w)) return 'atom';
        if (OPERATORS.has(w)) return 'operator';
        if (stream.match(/^\s*\(/, false)) return 'variableName.function';
        return 'variableName';
      }
      stream.next();
      return null;
    },
    languageData: { commentTokens: { line: '//', block: { open: '/*', close: '*/' } } },
  });
}
