// The syntax error messages: chevrotain's error messages in archc's words ("expected a name but
// found ')'"), and "an expression" rather than the dozen tokens that can start one.
import type { IParserErrorMessageProvider, IToken, TokenType } from 'chevrotain';
import { chevrotain } from './chevrotain.js';
import * as T from './tokens.js';

const { EOF: EOFToken } = chevrotain;

export const describeToken = (t: TokenType): string => {
  const pattern = t.PATTERN;
  if (t === T.Identifier) return 'a name';
  if (t === T.Integer) return 'an integer';
  if (t === T.Float) return 'a number';
  if (t === T.StringLit) return 'a string';
  if (t === EOFToken) return 'end of file';
  if (pattern instanceof RegExp) return `'${pattern.source.replace(/\\/g, '')}'`;
  return t.name;
};

export const shownToken = (token: IToken): string => (token.tokenType === EOFToken ? 'end of file' : `'${token.image}'`);

export const TOP_LEVEL = `expected 'model', 'block', 'use' or 'allow'`;

const summarize = (firsts: Set<string>): string =>
  firsts.has('a name') && firsts.has('an integer') ? 'an expression' : [...firsts].join(' or ');

export const messages: IParserErrorMessageProvider = {
  buildMismatchTokenMessage: ({ expected, actual }) =>
    expected === EOFToken ? `${TOP_LEVEL} but found ${shownToken(actual)}` : `expected ${describeToken(expected)} but found ${shownToken(actual)}`,
  buildNotAllInputParsedMessage: ({ firstRedundant }) => `${TOP_LEVEL} but found ${shownToken(firstRedundant)}`,
  buildNoViableAltMessage: ({ expectedPathsPerAlt, actual, ruleName }) => {
    const firsts = new Set(expectedPathsPerAlt.flat().map((path) => describeToken(path[0]!)));
    const what =
      ruleName === 'statement' ? 'a statement' : ruleName === 'primary' ? 'an expression' : ruleName === 'file' ? TOP_LEVEL.slice('expected '.length) : summarize(firsts);
    return `expected ${what} but found ${shownToken(actual[0]!)}`;
  },
  buildEarlyExitMessage: ({ expectedIterationPaths, actual }) => {
    const firsts = new Set(expectedIterationPaths.map((path) => describeToken(path[0]!)));
    return `expected ${summarize(firsts)} but found ${shownToken(actual[0]!)}`;
  },
};
