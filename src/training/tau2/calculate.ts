/**
 * The `calculate` tool: arithmetic on numbers with + - * / and parentheses, rounded to two
 * decimals. A small recursive-descent parser: nothing is ever evaluated as code.
 */

export class CalculateError extends Error {}

/** Rounds to cents, robust to binary noise (1.005 -> 1.01). */
export function round2(x: number): number {
  const r = Math.round((Math.abs(x) + Number.EPSILON) * 100) / 100;
  return x < 0 ? -r : r + 0;
}

export function calculate(expression: string): number {
  if (!/^[0-9+\-*/(). ]+$/.test(expression)) {
    throw new CalculateError('invalid characters in expression (only digits, + - * / ( ) . and spaces)');
  }
  const tokens = expression.match(/\d+(?:\.\d*)?|\.\d+|[+\-*/()]|\S/g) ?? [];
  let pos = 0;
  const peek = () => tokens[pos];
  const next = () => tokens[pos++];

  function primary(): number {
    const t = next();
    if (t === undefined) throw new CalculateError('unexpected end of expression');
    if (t === '(') {
      const v = sum();
      if (next() !== ')') throw new CalculateError('missing )');
      return v;
    }
    if (t === '-') return -primary();
    if (t === '+') return primary();
    if (/^(\d+(\.\d*)?|\.\d+)$/.test(t)) return Number(t);
    throw new CalculateError(`unexpected ${JSON.stringify(t)}`);
  }
  function product(): number {
    let v = primary();
    for (let t = peek(); t === '*' || t === '/'; t = peek()) {
      pos++;
      const r = primary();
      if (t === '/') {
        if (r === 0) throw new CalculateError('division by zero');
        v /= r;
      } else v *= r;
    }
    return v;
  }
  function sum(): number {
    let v = product();
    for (let t = peek(); t === '+' || t === '-'; t = peek()) {
      pos++;
      const r = product();
      v = t === '+' ? v + r : v - r;
    }
    return v;
  }

  const value = sum();
  if (pos !== tokens.length) throw new CalculateError(`unexpected ${JSON.stringify(tokens[pos])}`);
  if (!Number.isFinite(value)) throw new CalculateError('result is not a finite number');
  return round2(value);
}
